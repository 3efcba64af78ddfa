package org.dnnc.maven;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.lang.model.SourceVersion;
import org.dnnc.compiler.Compilation;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.codegen.CodegenException;
import org.dnnc.compiler.codegen.JavaGenerator;
import org.dnnc.compiler.diag.Diagnostic;
import org.dnnc.compiler.diag.Severity;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.diag.Span;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.compiler.target.Target;

/**
 * One incremental run of the compiler over a source directory, independent of Maven: compiles the
 * {@code .dnn} files that changed since the last run (by content hash), writes the Java file of
 * each network only when its bytes differ from what is on disk, deletes what deleted or changed
 * inputs no longer produce, and records the outcome in the {@link BuildState} file.
 *
 * <p>An input is up to date, and not compiled at all, when its bytes, the configuration hash and
 * every output it recorded (by hash) are as the state says. Files with errors are recorded as failed
 * so they are compiled, and their errors reported, again by the next run.
 */
final class DnncBuild {

    /** Where things are and how to compile them. */
    record Settings(
            Path baseDir,
            Path sourceRoot,
            Path outputRoot,
            Path stateFile,
            Charset encoding,
            String configHash,
            String pluginVersion,
            boolean failOnWarning,
            boolean fuse,
            Set<Target> targets) {}

    /** What the run does, as it does it: the Maven goal logs, reports to the IDE and writes through the build context. */
    interface Listener {
        /** The path diagnostics name the input by, e.g. {@code src/main/dnn/Net.dnn}. */
        String displayPath(Path input);

        /** The input is about to be compiled: forget what was reported about it before. */
        default void compiling(Path input) {}

        void diagnostic(Path input, SourceFile source, Diagnostic diagnostic);

        /** Writes {@code content} to {@code file} (its folder exists); called only when the bytes differ. */
        default void write(Path file, byte[] content) throws IOException {
            Files.write(file, content);
        }

        /** {@code file} was deleted. */
        default void deleted(Path file) {}

        default void debug(String message) {}
    }

    /**
     * What happened: how many inputs were compiled or up to date, how many Java files were written,
     * left as they were (same bytes) or deleted, the diagnostics counted, and the number of files
     * with at least one error or warning.
     */
    record Result(
            int inputs,
            int compiled,
            int upToDate,
            int written,
            int unchanged,
            int deleted,
            int errors,
            int warnings,
            int filesWithDiagnostics,
            List<String> generated) {}

    private final Settings settings;
    private final Listener listener;

    private final Map<Path, String> claimed = new HashMap<>();
    private final List<String> generated = new ArrayList<>();
    private int compiled;
    private int upToDate;
    private int written;
    private int unchanged;
    private int deleted;
    private int errors;
    private int warnings;
    private final Set<Path> filesWithDiagnostics = new HashSet<>();

    private DnncBuild(Settings settings, Listener listener) {
        this.settings = settings;
        this.listener = listener;
    }

    /**
     * Runs over {@code inputs}, paths relative to the source root with {@code /} separators.
     *
     * @throws IOException if an output or the state file cannot be written
     */
    static Result run(Settings settings, List<String> inputs, Listener listener) throws IOException {
        return new DnncBuild(settings, listener).run(inputs.stream().sorted().distinct().toList());
    }

    private Result run(List<String> inputs) throws IOException {
        Optional<BuildState> previous = BuildState.read(settings.stateFile());
        BuildState old = previous.orElseGet(() -> new BuildState(null, ""));
        String outputRootName = slashes(settings.baseDir().relativize(settings.outputRoot()));
        Path oldOutputRoot = old.outputRoot() == null || old.outputRoot().isEmpty()
                ? settings.outputRoot()
                : settings.baseDir().resolve(old.outputRoot()).normalize();
        boolean sameRoot = oldOutputRoot.equals(settings.outputRoot().normalize());
        BuildState next = new BuildState(outputRootName, settings.pluginVersion());

        // First what is up to date: its outputs are taken before any changed input claims them.
        Map<String, byte[]> changed = new LinkedHashMap<>();
        Map<String, String> hashes = new HashMap<>();
        for (String input : inputs) {
            Path file = settings.sourceRoot().resolve(input);
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(file);
            } catch (IOException e) {
                listener.compiling(file);
                report(file, new SourceFile(listener.displayPath(file), ""),
                        Diagnostic.error(Span.NONE, "cannot read the file: " + e));
                old.get(input).ifPresent(entry -> next.put(input, entry.failed()));
                continue;
            }
            String hash = sha256(bytes);
            hashes.put(input, hash);
            Optional<BuildState.Entry> entry = old.get(input);
            if (entry.isPresent() && sameRoot && isUpToDate(entry.get(), hash)) {
                next.put(input, entry.get());
                for (BuildState.Output o : entry.get().outputs()) {
                    claimed.put(resolve(settings.outputRoot(), o.path()), input);
                }
                upToDate++;
                listener.debug("dnnc: " + input + " is up to date");
            } else {
                changed.put(input, bytes);
            }
        }

        for (Map.Entry<String, byte[]> e : changed.entrySet()) {
            String input = e.getKey();
            compile(input, e.getValue(), hashes.get(input), old.get(input).filter(x -> sameRoot), next);
        }

        // Whatever the previous run produced and this one does not: deleted inputs, networks
        // removed or renamed, everything under an output root that is no longer configured.
        Set<Path> keep = new LinkedHashSet<>();
        next.entries().values().forEach(entry -> entry.outputs()
                .forEach(o -> keep.add(resolve(settings.outputRoot(), o.path()))));
        for (BuildState.Entry entry : old.entries().values()) {
            for (BuildState.Output o : entry.outputs()) {
                Path file = resolve(oldOutputRoot, o.path());
                if (!keep.contains(file)) {
                    delete(file, oldOutputRoot);
                }
            }
        }

        if (!next.isEmpty() || previous.isPresent()) {
            writeIfChanged(settings.stateFile(), next.format().getBytes(StandardCharsets.UTF_8), false);
        }
        return new Result(inputs.size(), compiled, upToDate, written, unchanged, deleted, errors, warnings,
                filesWithDiagnostics.size(), List.copyOf(generated));
    }

    private boolean isUpToDate(BuildState.Entry entry, String hash) throws IOException {
        if (!entry.sha256().equals(hash) || !entry.config().equals(settings.configHash())) {
            return false;
        }
        if (settings.failOnWarning() && entry.warnings() > 0) {
            return false; // compile it again so that its warnings are reported and fail the build
        }
        for (BuildState.Output o : entry.outputs()) {
            Path file = resolve(settings.outputRoot(), o.path());
            if (!Files.isRegularFile(file) || !sha256(Files.readAllBytes(file)).equals(o.sha256())) {
                return false; // deleted or edited by hand: generate it again
            }
        }
        return true;
    }

    private void compile(String input, byte[] bytes, String hash, Optional<BuildState.Entry> old, BuildState next)
            throws IOException {
        Path file = settings.sourceRoot().resolve(input);
        compiled++;
        listener.compiling(file);
        String display = listener.displayPath(file);
        int errorsBefore = errors;
        int warningsBefore = warnings;

        Optional<String> text = decode(bytes);
        SourceFile source = new SourceFile(display, text.orElse(""));
        List<Generated> outputs = new ArrayList<>();
        if (text.isEmpty()) {
            report(file, source, Diagnostic.error(Span.NONE,
                    "the file is not valid " + settings.encoding().name() + " (set the plugin's `encoding`)"));
        } else {
            Compilation compilation = Compiler.compile(source);
            for (Diagnostic d : compilation.diagnostics()) {
                report(file, source, d);
            }
            if (!compilation.hasErrors()) {
                for (NetworkModel network : compilation.networks()) {
                    generate(input, file, source, network).ifPresent(outputs::add);
                }
            }
        }
        int fileWarnings = warnings - warningsBefore;
        if (errors > errorsBefore) {
            outputs.forEach(g -> claimed.remove(g.file()));
            // Keep what it produced before, so a later run still cleans it up, and compile it again next time.
            old.ifPresent(entry -> next.put(input, entry.failed()));
            return;
        }
        List<BuildState.Output> recorded = new ArrayList<>();
        for (Generated g : outputs) {
            writeIfChanged(g.file(), g.content(), true);
            recorded.add(new BuildState.Output(slashes(settings.outputRoot().relativize(g.file())), sha256(g.content())));
            generated.add(g.className());
        }
        next.put(input, new BuildState.Entry(hash, settings.configHash(), fileWarnings, recorded));
    }

    /** One generated class. */
    private record Generated(String className, Path file, byte[] content) {}

    private Optional<Generated> generate(String input, Path file, SourceFile source, NetworkModel network) {
        NetworkModel model = network;
        if (model.packageName().isEmpty()) {
            Optional<String> pkg = packageOfFolder(input);
            if (pkg.isEmpty()) {
                report(file, source, Diagnostic.error(model.span(),
                        "cannot place network `" + model.name() + "` in a Java package: the folder `"
                                + parent(input) + "` is not a Java package name")
                        .withHint("add a `package` line, such as `package org.example.nets;`"));
                return Optional.empty();
            }
            model = new NetworkModel(pkg.get(), model.name(), model.graph(), model.train(), model.span());
        }
        String className = model.qualifiedName();
        Path out = resolve(settings.outputRoot(), className.replace('.', '/') + ".java");
        String owner = claimed.get(out);
        if (owner != null) {
            report(file, source, Diagnostic.error(model.span(),
                    "class `" + className + "` is also generated from `" + owner + "`")
                    .withHint("rename one of the networks or give the files different `package` lines"));
            return Optional.empty();
        }
        String code;
        try {
            code = JavaGenerator.generate(model, source, settings.fuse(), settings.targets()).toString();
        } catch (CodegenException e) {
            Span where = e.origin() == null || e.origin().span().isNone() ? model.span() : e.origin().span();
            report(file, source, Diagnostic.error(where, e.getMessage()));
            return Optional.empty();
        }
        claimed.put(out, input);
        return Optional.of(new Generated(className, out, code.getBytes(StandardCharsets.UTF_8)));
    }

    /** {@code org/example/Net.dnn} gives {@code org.example}; the top folder gives the unnamed package. */
    static Optional<String> packageOfFolder(String input) {
        String folder = parent(input);
        if (folder.isEmpty()) {
            return Optional.of("");
        }
        String pkg = folder.replace('/', '.');
        return SourceVersion.isName(pkg) ? Optional.of(pkg) : Optional.empty();
    }

    private static String parent(String input) {
        int slash = input.lastIndexOf('/');
        return slash < 0 ? "" : input.substring(0, slash);
    }

    private void report(Path file, SourceFile source, Diagnostic d) {
        if (d.severity() == Severity.ERROR) {
            errors++;
        } else if (d.severity() == Severity.WARNING) {
            warnings++;
        }
        if (d.severity() != Severity.NOTE) {
            filesWithDiagnostics.add(file);
        }
        listener.diagnostic(file, source, d);
    }

    private Optional<String> decode(byte[] bytes) {
        try {
            String text = settings.encoding().newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
            return Optional.of(text.startsWith("\uFEFF") ? text.substring(1) : text);
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    /** Writes only when the bytes differ, so that an unchanged file keeps its time stamp. */
    private void writeIfChanged(Path file, byte[] content, boolean output) throws IOException {
        if (Files.isRegularFile(file) && Arrays.equals(Files.readAllBytes(file), content)) {
            if (output) {
                unchanged++;
            }
            return;
        }
        Files.createDirectories(file.getParent());
        if (output) {
            listener.write(file, content);
            written++;
            listener.debug("dnnc: wrote " + file);
        } else {
            Files.write(file, content);
        }
    }

    private void delete(Path file, Path root) throws IOException {
        // Only ever under the output root, whatever the state file says.
        if (!file.startsWith(root) || file.equals(root) || !Files.deleteIfExists(file)) {
            return;
        }
        deleted++;
        listener.deleted(file);
        listener.debug("dnnc: deleted " + file);
        // Package folders that held only generated files go too, up to the output root.
        for (Path dir = file.getParent(); dir != null && dir.startsWith(root) && !dir.equals(root); dir = dir.getParent()) {
            try {
                Files.delete(dir);
            } catch (DirectoryNotEmptyException | NoSuchFileException e) {
                break;
            }
        }
    }

    private static Path resolve(Path root, String relative) {
        return root.resolve(relative).normalize();
    }

    private static String slashes(Path relative) {
        return relative.toString().replace(relative.getFileSystem().getSeparator(), "/");
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    static String sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }
}
