package org.dnnc.maven;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.dnnc.compiler.diag.Diagnostic;
import org.dnnc.compiler.diag.DiagnosticRenderer;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.target.CpuTarget;
import org.dnnc.compiler.target.CudaTarget;
import org.dnnc.compiler.target.Target;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The incremental build without Maven: what is compiled, written, kept and deleted. */
class DnncBuildTest {
    private static final Set<Target> CPU = Set.of(CpuTarget.INSTANCE);

    static final String TINY = """
            package org.example.tiny;

            network Tiny {
                input x: float[4];
                input label: int;
                logits = x -> dense(8) -> relu -> dense(3);
                output probs = softmax(logits);
                train {
                    loss = cross_entropy(logits, label);
                    optimizer = sgd(lr: 0.1);
                    batch = 16;
                    epochs = 1;
                }
            }
            """;

    /** No package line: the package comes from the folder. */
    static final String OTHER = """
            network Other {
                input x: float[6];
                input label: int;
                logits = x -> dense(5) -> tanh -> dense(2);
                output probs = softmax(logits);
                train {
                    loss = cross_entropy(logits, label);
                    optimizer = adam(lr: 1e-3);
                    batch = 8;
                    epochs = 1;
                }
            }
            """;

    static final FileTime OLD = FileTime.fromMillis(978_307_200_000L); // 2001-01-01

    @TempDir
    Path project;

    Path src;
    Path out;
    Path state;
    final List<String> rendered = new ArrayList<>();
    final List<Path> deleted = new ArrayList<>();

    @BeforeEach
    void layout() {
        src = project.resolve("src/main/dnn");
        out = project.resolve("target/generated-sources/dnnc");
        state = project.resolve("target/dnnc/compile.state");
    }

    DnncBuild.Result build(String... inputs) throws IOException {
        return build("config-1", false, inputs);
    }

    DnncBuild.Result build(String config, boolean failOnWarning, String... inputs) throws IOException {
        return build(config, failOnWarning, true, inputs);
    }

    DnncBuild.Result build(String config, boolean failOnWarning, boolean fuse, String... inputs) throws IOException {
        return build(config, failOnWarning, fuse, Set.of(CpuTarget.INSTANCE), inputs);
    }

    DnncBuild.Result build(String config, boolean failOnWarning, boolean fuse, Set<Target> targets, String... inputs)
            throws IOException {
        rendered.clear();
        deleted.clear();
        var settings = new DnncBuild.Settings(project, src, out, state, StandardCharsets.UTF_8, config, "test",
                failOnWarning, fuse, targets);
        return DnncBuild.run(settings, List.of(inputs), new DnncBuild.Listener() {
            @Override
            public String displayPath(Path input) {
                return project.relativize(input).toString();
            }

            @Override
            public void diagnostic(Path input, SourceFile source, Diagnostic d) {
                rendered.add(new DiagnosticRenderer(false).render(source, d));
            }

            @Override
            public void deleted(Path file) {
                deleted.add(file);
            }
        });
    }

    void write(String input, String text) throws IOException {
        Path file = src.resolve(input);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    Path tinyJava() {
        return out.resolve("org/example/tiny/Tiny.java");
    }

    Path otherJava() {
        return out.resolve("com/acme/Other.java");
    }

    @Test
    void generatesOneClassPerNetworkAndTakesThePackageFromTheFolderWhenThereIsNoPackageLine() throws IOException {
        write("Tiny.dnn", TINY);
        write("com/acme/Other.dnn", OTHER);
        var r = build("Tiny.dnn", "com/acme/Other.dnn");
        assertThat(rendered).isEmpty();
        assertThat(r.compiled()).isEqualTo(2);
        assertThat(r.written()).isEqualTo(2);
        assertThat(r.generated()).containsExactly("org.example.tiny.Tiny", "com.acme.Other").inOrder();
        assertThat(Files.readString(tinyJava())).contains("public final class Tiny implements TrainableNetwork");
        assertThat(Files.readString(otherJava())).contains("\npackage com.acme;\n");
        assertThat(Files.readString(state)).contains("input.com/acme/Other.dnn.outputs=com/acme/Other.java@");
    }

    @Test
    void aSecondBuildCompilesNothingAndTouchesNothing() throws IOException {
        write("Tiny.dnn", TINY);
        write("com/acme/Other.dnn", OTHER);
        build("Tiny.dnn", "com/acme/Other.dnn");
        Files.setLastModifiedTime(tinyJava(), OLD);
        Files.setLastModifiedTime(otherJava(), OLD);
        Files.setLastModifiedTime(state, OLD);

        var r = build("Tiny.dnn", "com/acme/Other.dnn");
        assertThat(r.compiled()).isEqualTo(0);
        assertThat(r.upToDate()).isEqualTo(2);
        assertThat(r.written() + r.unchanged() + r.deleted()).isEqualTo(0);
        assertThat(Files.getLastModifiedTime(tinyJava())).isEqualTo(OLD);
        assertThat(Files.getLastModifiedTime(otherJava())).isEqualTo(OLD);
        assertThat(Files.getLastModifiedTime(state)).isEqualTo(OLD);
    }

    @Test
    void aChangedFileRegeneratesOnlyItsClass() throws IOException {
        write("Tiny.dnn", TINY);
        write("com/acme/Other.dnn", OTHER);
        build("Tiny.dnn", "com/acme/Other.dnn");
        Files.setLastModifiedTime(tinyJava(), OLD);
        Files.setLastModifiedTime(otherJava(), OLD);
        String before = Files.readString(otherJava());

        write("com/acme/Other.dnn", OTHER.replace("dense(5)", "dense(7)"));
        var r = build("Tiny.dnn", "com/acme/Other.dnn");
        assertThat(r.compiled()).isEqualTo(1);
        assertThat(r.upToDate()).isEqualTo(1);
        assertThat(r.written()).isEqualTo(1);
        assertThat(Files.getLastModifiedTime(tinyJava())).isEqualTo(OLD);
        assertThat(Files.getLastModifiedTime(otherJava())).isNotEqualTo(OLD);
        assertThat(Files.readString(otherJava())).isNotEqualTo(before);
    }

    @Test
    void aChangeThatGeneratesTheSameBytesWritesNothing() throws IOException {
        write("Tiny.dnn", TINY);
        build("Tiny.dnn");
        Files.setLastModifiedTime(tinyJava(), OLD);
        // A new configuration hash compiles everything again, but the Java file comes out the same.
        var r = build("config-2", false, "Tiny.dnn");
        assertThat(r.compiled()).isEqualTo(1);
        assertThat(r.written()).isEqualTo(0);
        assertThat(r.unchanged()).isEqualTo(1);
        assertThat(Files.getLastModifiedTime(tinyJava())).isEqualTo(OLD);
    }

    @Test
    void fusionCanBeTurnedOffAndTheSwitchIsPartOfTheConfiguration() throws IOException {
        write("Tiny.dnn", TINY);
        build("Tiny.dnn");
        String fused = Files.readString(tinyJava());
        var r = build(AbstractDnncMojo.configHash("test", StandardCharsets.UTF_8, false, CPU), false, false, "Tiny.dnn");
        assertThat(r.compiled()).isEqualTo(1);
        assertThat(r.written()).isEqualTo(1);
        String unfused = Files.readString(tinyJava());
        assertThat(fused).doesNotContain("Activations.forward(");
        assertThat(unfused).contains("Activations.forward(Activation.RELU");
        assertThat(AbstractDnncMojo.configHash("test", StandardCharsets.UTF_8, false, CPU))
                .isNotEqualTo(AbstractDnncMojo.configHash("test", StandardCharsets.UTF_8, true, CPU));
    }

    @Test
    void theCudaTargetAddsTheDeviceHalfAndIsPartOfTheConfiguration() throws Exception {
        write("Tiny.dnn", TINY);
        build("Tiny.dnn");
        assertThat(Files.readString(tinyJava())).doesNotContain("OnCuda");
        Set<Target> both = AbstractDnncMojo.targets("cpu, cuda");
        assertThat(both).containsExactly(CpuTarget.INSTANCE, CudaTarget.INSTANCE).inOrder();
        assertThat(AbstractDnncMojo.targets("cuda")).isEqualTo(both);
        var r = build(AbstractDnncMojo.configHash("test", StandardCharsets.UTF_8, true, both), false, true, both,
                "Tiny.dnn");
        assertThat(rendered).isEmpty();
        assertThat(r.written()).isEqualTo(1);
        assertThat(Files.readString(tinyJava())).contains("private static final class OnCuda {");
        assertThat(AbstractDnncMojo.configHash("test", StandardCharsets.UTF_8, true, both))
                .isNotEqualTo(AbstractDnncMojo.configHash("test", StandardCharsets.UTF_8, true, CPU));
        var unknown = assertThrows(org.apache.maven.plugin.MojoExecutionException.class,
                () -> AbstractDnncMojo.targets("cpu,tpu"));
        assertThat(unknown).hasMessageThat().isEqualTo("dnnc: unknown target 'tpu' in <targets>; the targets are cpu, cuda");
    }

    @Test
    void outputIsDeterministic() throws IOException {
        write("Tiny.dnn", TINY);
        build("Tiny.dnn");
        byte[] first = Files.readAllBytes(tinyJava());
        Files.delete(state);
        Files.delete(tinyJava());
        build("Tiny.dnn");
        assertThat(Files.readAllBytes(tinyJava())).isEqualTo(first);
    }

    @Test
    void aDeletedInputDeletesItsOutputsAndTheirEmptyPackageFolders() throws IOException {
        write("Tiny.dnn", TINY);
        write("com/acme/Other.dnn", OTHER);
        build("Tiny.dnn", "com/acme/Other.dnn");
        Files.delete(src.resolve("com/acme/Other.dnn"));

        var r = build("Tiny.dnn");
        assertThat(r.deleted()).isEqualTo(1);
        assertThat(deleted).containsExactly(otherJava());
        assertThat(Files.exists(out.resolve("com"))).isFalse();
        assertThat(Files.exists(tinyJava())).isTrue();
        assertThat(Files.readString(state)).doesNotContain("Other");

        // With no input left, the last output goes too.
        Files.delete(src.resolve("Tiny.dnn"));
        assertThat(build().deleted()).isEqualTo(1);
        assertThat(Files.exists(tinyJava())).isFalse();
    }

    @Test
    void aRenamedNetworkReplacesItsOldClass() throws IOException {
        write("Tiny.dnn", TINY);
        build("Tiny.dnn");
        write("Tiny.dnn", TINY.replace("network Tiny", "network Small"));
        var r = build("Tiny.dnn");
        assertThat(r.written()).isEqualTo(1);
        assertThat(r.deleted()).isEqualTo(1);
        assertThat(Files.exists(tinyJava())).isFalse();
        assertThat(Files.exists(out.resolve("org/example/tiny/Small.java"))).isTrue();
    }

    @Test
    void aMissingOrEditedOutputIsGeneratedAgain() throws IOException {
        write("Tiny.dnn", TINY);
        build("Tiny.dnn");
        String good = Files.readString(tinyJava());
        Files.writeString(tinyJava(), "// edited by hand\n" + good);
        assertThat(build("Tiny.dnn").written()).isEqualTo(1);
        assertThat(Files.readString(tinyJava())).isEqualTo(good);
        Files.delete(tinyJava());
        assertThat(build("Tiny.dnn").written()).isEqualTo(1);
        assertThat(Files.readString(tinyJava())).isEqualTo(good);
    }

    @Test
    void errorsAreReportedAsTheCompilerRendersThemAndAgainOnTheNextBuild() throws IOException {
        write("Tiny.dnn", TINY);
        build("Tiny.dnn");
        write("Tiny.dnn", TINY.replace("x -> dense(8)", "x -> dense(8) -> dropot(0.5)"));
        var r = build("Tiny.dnn");
        assertThat(r.errors()).isEqualTo(1);
        assertThat(r.warnings()).isEqualTo(1); // `label` is unused once the network is broken
        assertThat(r.filesWithDiagnostics()).isEqualTo(1);
        assertThat(rendered).hasSize(2);
        assertThat(rendered.get(1)).startsWith("src/main/dnn/Tiny.dnn:6:31: error: unknown layer `dropot`\n"
                + "    logits = x -> dense(8) -> dropot(0.5) -> relu -> dense(3);\n"
                + "                              ^~~~~~\n"
                + "  help: did you mean `dropout`?");
        // The old class stays (the build fails anyway) and the file is compiled again next time.
        assertThat(Files.exists(tinyJava())).isTrue();
        assertThat(build("Tiny.dnn").errors()).isEqualTo(1);
        // Once fixed, it is generated again.
        write("Tiny.dnn", TINY.replace("network Tiny", "network Fixed"));
        var fixed = build("Tiny.dnn");
        assertThat(fixed.errors()).isEqualTo(0);
        assertThat(fixed.deleted()).isEqualTo(1);
        assertThat(Files.exists(out.resolve("org/example/tiny/Fixed.java"))).isTrue();
    }

    @Test
    void warningsAreReportedOnceUnlessTheyFailTheBuild() throws IOException {
        write("Tiny.dnn", TINY.replace("input label: int;", "input label: int;\n    input unused: float[2];"));
        var r = build("Tiny.dnn");
        assertThat(r.errors()).isEqualTo(0);
        assertThat(r.warnings()).isEqualTo(1);
        assertThat(rendered.get(0)).contains("warning: input `unused` is never used");
        assertThat(Files.exists(tinyJava())).isTrue();
        // Up to date: not compiled again, so not reported again...
        assertThat(build("Tiny.dnn").warnings()).isEqualTo(0);
        // ...unless warnings fail the build: then they must be seen.
        var strict = build("config-1", true, "Tiny.dnn");
        assertThat(strict.compiled()).isEqualTo(1);
        assertThat(strict.warnings()).isEqualTo(1);
    }

    @Test
    void aFolderThatIsNoPackageNameIsAnError() throws IOException {
        write("my-nets/Other.dnn", OTHER);
        var r = build("my-nets/Other.dnn");
        assertThat(r.errors()).isEqualTo(1);
        assertThat(rendered.get(0)).contains(
                "error: cannot place network `Other` in a Java package: the folder `my-nets` is not a Java package name");
        assertThat(rendered.get(0)).contains("help: add a `package` line");
    }

    @Test
    void twoFilesMayNotGenerateTheSameClass() throws IOException {
        write("a/Tiny.dnn", TINY);
        write("b/Tiny.dnn", TINY);
        var r = build("a/Tiny.dnn", "b/Tiny.dnn");
        assertThat(r.errors()).isEqualTo(1);
        assertThat(rendered.get(0)).startsWith("src/main/dnn/b/Tiny.dnn:3:1: error: class `org.example.tiny.Tiny` is also generated from `a/Tiny.dnn`");
        assertThat(Files.exists(tinyJava())).isTrue();
    }

    @Test
    void aNetworkTheGeneratorCannotEmitYetIsAnErrorAtItsSource() throws IOException {
        write("Cnn.dnn", """
                network Cnn {
                    input image: float[1, 8, 8];
                    input label: int;
                    logits = image -> conv2d(4, 3) -> relu -> flatten -> dense(3);
                    train {
                        loss = cross_entropy(logits, label);
                        optimizer = sgd(lr: 0.1);
                        batch = 4;
                    }
                }
                """);
        var r = build("Cnn.dnn");
        // Until convolutions generate, a diagnostic; once they do, a class.
        if (r.errors() > 0) {
            assertThat(rendered.get(rendered.size() - 1)).startsWith("src/main/dnn/Cnn.dnn:");
            assertThat(r.written()).isEqualTo(0);
        } else {
            assertThat(Files.exists(out.resolve("Cnn.java"))).isTrue();
        }
    }

    @Test
    void malformedTextInTheEncodingIsAnError() throws IOException {
        Files.createDirectories(src);
        Files.write(src.resolve("Bad.dnn"), new byte[] {'n', 'e', (byte) 0xff, 't'});
        var r = build("Bad.dnn");
        assertThat(r.errors()).isEqualTo(1);
        assertThat(rendered.get(0)).startsWith("src/main/dnn/Bad.dnn: error: the file is not valid UTF-8");
    }

    @Test
    void aMovedOutputDirectoryTakesItsFilesAlong() throws IOException {
        write("Tiny.dnn", TINY);
        build("Tiny.dnn");
        Path oldJava = tinyJava();
        out = project.resolve("target/elsewhere");
        var r = build("Tiny.dnn");
        assertThat(r.written()).isEqualTo(1);
        assertThat(r.deleted()).isEqualTo(1);
        assertThat(Files.exists(oldJava)).isFalse();
        assertThat(Files.exists(tinyJava())).isTrue();
    }

    @Test
    void nothingOutsideTheOutputRootIsDeletedWhateverTheStateFileSays() throws IOException {
        Path outside = project.resolve("precious.txt");
        Files.writeString(outside, "keep me");
        Files.createDirectories(state.getParent());
        Files.writeString(state, "format=1\noutputRoot=target/generated-sources/dnnc\n"
                + "input.Gone.dnn.sha256=00\ninput.Gone.dnn.config=config-1\n"
                + "input.Gone.dnn.outputs=../../../precious.txt@00\n");
        assertThat(build().deleted()).isEqualTo(0);
        assertThat(Files.readString(outside)).isEqualTo("keep me");
    }

    @Test
    void packageOfFolder() {
        assertThat(DnncBuild.packageOfFolder("Net.dnn")).hasValue("");
        assertThat(DnncBuild.packageOfFolder("org/example/Net.dnn")).hasValue("org.example");
        assertThat(DnncBuild.packageOfFolder("org/class/Net.dnn")).isEmpty();
        assertThat(DnncBuild.packageOfFolder("1x/Net.dnn")).isEmpty();
    }

    @Test
    void stateRoundTripsOddNames() {
        BuildState s = new BuildState("target/gen", "1.0");
        s.put("a b/c=d:é.dnn", new BuildState.Entry("abc", "cfg", 2,
                List.of(new BuildState.Output("a/B.java", "01"), new BuildState.Output("a/C.java", "02"))));
        String text = s.format();
        BuildState back = BuildState.parse(text).orElseThrow();
        assertThat(back.outputRoot()).isEqualTo("target/gen");
        assertThat(back.entries()).isEqualTo(s.entries());
        assertThat(back.format()).isEqualTo(text);
        assertThat(BuildState.parse("format=0\n")).isEmpty();
    }
}
