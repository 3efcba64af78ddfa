package org.dnnc.maven;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecution;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;
import org.codehaus.plexus.build.BuildContext;
import org.codehaus.plexus.build.DefaultBuildContext;
import org.codehaus.plexus.util.DirectoryScanner;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.diag.DiagnosticRenderer;
import org.dnnc.compiler.target.CpuTarget;
import org.dnnc.compiler.target.Target;
import org.dnnc.compiler.target.Targets;

/** What the {@code compile} and {@code testCompile} goals share: everything but their defaults. */
public abstract class AbstractDnncMojo extends AbstractMojo {
    static final String DEFAULT_INCLUDE = "**/*.dnn";

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    protected MavenProject project;

    @Parameter(defaultValue = "${session}", readonly = true, required = true)
    protected MavenSession session;

    @Parameter(defaultValue = "${mojoExecution}", readonly = true, required = true)
    protected MojoExecution mojoExecution;

    /** Where messages and files go: in Eclipse (m2e) markers and refreshed resources, on the command line the log. */
    protected final BuildContext buildContext;

    /**
     * Which files under the source directory to compile, as Ant-style patterns relative to it.
     * Default: {@code **}{@code /*.dnn}.
     */
    @Parameter
    protected Set<String> includes = new LinkedHashSet<>();

    /** Files under the source directory not to compile, as Ant-style patterns relative to it. */
    @Parameter
    protected Set<String> excludes = new LinkedHashSet<>();

    /** Skips the goal: nothing is generated and no source root is added. */
    @Parameter(property = "dnnc.skip", defaultValue = "false")
    protected boolean skip;

    /** Fails the build when a file has warnings (unused inputs or values, files without a network). */
    @Parameter(property = "dnnc.failOnWarning", defaultValue = "false")
    protected boolean failOnWarning;

    /**
     * Runs the fusion passes (conv+batchnorm folding, batchnorm+ReLU, conv/dense epilogues,
     * element-wise chains). Turn off to get one kernel call per op, for comparison or debugging;
     * the generated classes compute the same values either way.
     */
    @Parameter(property = "dnnc.fuse", defaultValue = "true")
    protected boolean fuse;

    /**
     * The targets the generated classes run on, comma-separated: {@code cpu} (always, the builder's
     * default device) and {@code cuda}, which adds the half that runs on an NVIDIA GPU when the
     * builder chooses {@code Device.CUDA}.
     */
    @Parameter(property = "dnnc.targets", defaultValue = "cpu")
    protected String targets;

    /** The encoding of the {@code .dnn} files; UTF-8 when neither this nor {@code project.build.sourceEncoding} is set. */
    @Parameter(property = "dnnc.encoding", defaultValue = "${project.build.sourceEncoding}")
    protected String encoding;

    protected AbstractDnncMojo(BuildContext buildContext) {
        this.buildContext = buildContext;
    }

    /** The folder of the {@code .dnn} files; their folders below it give the Java package of files without a {@code package} line. */
    protected abstract File sourceDirectory();

    /** Where the Java sources go, in package folders; added to the project's (test) compile source roots. */
    protected abstract File outputDirectory();

    /** Adds the output directory to the compile source roots this goal feeds. */
    protected abstract void addSourceRoot(String directory);

    /** Whether to skip for a reason of the goal's own (besides {@code dnnc.skip}). */
    protected boolean skippedByGoal() {
        return false;
    }

    /** The goal's name, which names its state file. */
    protected abstract String goal();

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (skip || skippedByGoal()) {
            getLog().info("dnnc: skipped");
            return;
        }
        Path base = project.getBasedir().toPath().toAbsolutePath().normalize();
        Path sources = sourceDirectory().toPath().toAbsolutePath().normalize();
        Path output = outputDirectory().toPath().toAbsolutePath().normalize();
        Charset charset = charset();
        String version = pluginVersion();
        Set<Target> chosen = targets(targets);
        DnncBuild.Settings settings = new DnncBuild.Settings(base, sources, output, stateFile(), charset,
                configHash(version, charset, fuse, chosen), version, failOnWarning, fuse, chosen);

        boolean ide = !DefaultBuildContext.class.equals(buildContext.getClass())
                || buildContext.isIncremental()
                || session.getSystemProperties().containsKey("m2e.version")
                || session.getUserProperties().containsKey("m2e.version");
        Path displayBase = session.getExecutionRootDirectory() != null
                ? Path.of(session.getExecutionRootDirectory())
                : base;
        DnncBuild.Result result;
        try {
            result = DnncBuild.run(settings, scan(sources), new MavenListener(getLog(), buildContext, ide, displayBase));
        } catch (IOException e) {
            throw new MojoExecutionException("dnnc: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new MojoExecutionException("dnnc: internal compiler error (a bug in dnnc; please report it): " + e, e);
        }
        addSourceRoot(output.toString());

        if (result.inputs() == 0 && result.deleted() == 0) {
            getLog().info("dnnc: no .dnn files in " + display(base, sources));
        } else {
            getLog().info(String.format("dnnc: %s: %d compiled, %d up to date; Java files: %d written, %d unchanged, %d deleted",
                    plural(result.inputs(), ".dnn file"), result.compiled(), result.upToDate(),
                    result.written(), result.unchanged(), result.deleted()));
        }
        String where = " in " + plural(result.filesWithDiagnostics(), "file");
        if (result.errors() > 0) {
            throw new MojoFailureException("dnnc: " + DiagnosticRenderer.summary(result.errors(), result.warnings()) + where);
        }
        if (result.warnings() > 0) {
            String summary = "dnnc: " + DiagnosticRenderer.summary(0, result.warnings()) + where;
            if (failOnWarning) {
                throw new MojoFailureException(summary + " (failOnWarning is set)");
            }
            getLog().warn(summary);
        }
    }

    private List<String> scan(Path sources) {
        if (!Files.isDirectory(sources)) {
            getLog().debug("dnnc: no source directory " + sources);
            return List.of();
        }
        DirectoryScanner scanner = new DirectoryScanner();
        scanner.setBasedir(sources.toFile());
        scanner.setIncludes(includes == null || includes.isEmpty()
                ? new String[] {DEFAULT_INCLUDE}
                : includes.toArray(String[]::new));
        if (excludes != null && !excludes.isEmpty()) {
            scanner.setExcludes(excludes.toArray(String[]::new));
        }
        scanner.addDefaultExcludes();
        scanner.scan();
        return Arrays.stream(scanner.getIncludedFiles())
                .map(f -> f.replace(File.separatorChar, '/'))
                .sorted()
                .toList();
    }

    private Charset charset() throws MojoExecutionException {
        if (encoding == null || encoding.isBlank()) {
            return StandardCharsets.UTF_8;
        }
        try {
            return Charset.forName(encoding.trim());
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            throw new MojoExecutionException("dnnc: unknown encoding `" + encoding + "`");
        }
    }

    /**
     * One state file per goal and execution. Executions with Maven's default ids share it, so that
     * {@code mvn dnnc:compile} and the bound goal see the same state.
     */
    private Path stateFile() {
        String id = mojoExecution == null ? null : mojoExecution.getExecutionId();
        String name = id == null || id.startsWith("default") ? goal() : goal() + "-" + id.replaceAll("[^A-Za-z0-9._-]", "_");
        return Path.of(project.getBuild().getDirectory(), "dnnc", name + ".state").toAbsolutePath().normalize();
    }

    /** Everything besides an input's bytes that its output depends on. */
    static String configHash(String pluginVersion, Charset charset, boolean fuse, Set<Target> targets) {
        String names = targets.stream().map(Target::name).sorted().collect(java.util.stream.Collectors.joining(","));
        return DnncBuild.sha256("format=" + BuildState.FORMAT + "\nplugin=" + pluginVersion
                + "\ncompiler=" + CompilerBuild.identity() + "\nencoding=" + charset.name() + "\nfuse=" + fuse
                + (names.equals("cpu") ? "" : "\ntargets=" + names) + "\n");
    }

    /**
     * The targets named in {@code <targets>}, the CPU always among them.
     *
     * @throws MojoExecutionException naming a target that does not exist, and those that do
     */
    static Set<Target> targets(String names) throws MojoExecutionException {
        Set<Target> chosen = new LinkedHashSet<>();
        chosen.add(CpuTarget.INSTANCE);
        for (String name : names.split(",")) {
            String trimmed = name.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            chosen.add(Targets.named(trimmed).orElseThrow(() -> new MojoExecutionException("dnnc: unknown target '"
                    + trimmed + "' in <targets>; the targets are " + String.join(", ", Targets.names()))));
        }
        return chosen;
    }

    static String pluginVersion() {
        try (InputStream in = AbstractDnncMojo.class.getResourceAsStream("plugin.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String display(Path base, Path dir) {
        return dir.startsWith(base) ? base.relativize(dir).toString() : dir.toString();
    }

    static String plural(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
