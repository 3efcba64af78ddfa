package org.dnnc.maven;

import static com.google.common.truth.Truth.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.maven.plugin.logging.Log;
import org.codehaus.plexus.build.BuildContext;
import org.codehaus.plexus.util.Scanner;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.diag.SourceFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Diagnostics reach the Maven log as the compiler renders them, and an IDE's build context as markers. */
class MavenListenerTest {
    static final String BROKEN = """
            network Broken {
                input image: float[1, 28, 28];
                input unused: int;
                output y = image -> dense(10);
            }
            """;

    @TempDir
    Path dir;

    final RecordingLog log = new RecordingLog();
    final RecordingContext context = new RecordingContext();

    void compile(MavenListener listener, Path file) {
        SourceFile source = new SourceFile(listener.displayPath(file), BROKEN);
        listener.compiling(file);
        Compiler.compile(source).diagnostics().forEach(d -> listener.diagnostic(file, source, d));
    }

    @Test
    void logsEachDiagnosticAsTheCompilerRendersIt() {
        Path file = dir.resolve("src/main/dnn/Broken.dnn");
        MavenListener listener = new MavenListener(log, context, false, dir);
        assertThat(listener.displayPath(file)).isEqualTo(Path.of("src/main/dnn/Broken.dnn").toString());
        compile(listener, file);

        assertThat(log.lines).containsExactly(
                "warn: src/main/dnn/Broken.dnn:3:11: warning: input `unused` is never used\n"
                        + "    input unused: int;\n"
                        + "          ^~~~~~",
                "error: src/main/dnn/Broken.dnn:4:25: error: `dense` needs a vector of features per example, "
                        + "but this value has shape [1,28,28] (f32[N,1,28,28]) from input `image`\n"
                        + "    output y = image -> dense(10);\n"
                        + "                        ^~~~~~~~~\n"
                        + "  help: insert `flatten` before `dense`: `... -> flatten -> dense(10)`\n"
                        + "src/main/dnn/Broken.dnn:2:11: note: this f32[N,1,28,28] comes from input `image`\n"
                        + "    input image: float[1, 28, 28];\n"
                        + "          ^~~~~")
                .inOrder();
        assertThat(context.messages).isEmpty(); // on the command line the log is enough
    }

    @Test
    void inAnIdeEachDiagnosticIsAlsoAMarkerWithLineColumnAndSeverity() {
        Path file = dir.resolve("src/main/dnn/Broken.dnn");
        compile(new MavenListener(log, context, true, dir), file);
        assertThat(context.messages).containsExactly(
                "remove " + file.toFile(),
                "add " + file.toFile() + " 3:11 severity " + BuildContext.SEVERITY_WARNING
                        + " input `unused` is never used",
                "add " + file.toFile() + " 4:25 severity " + BuildContext.SEVERITY_ERROR
                        + " `dense` needs a vector of features per example, but this value has shape [1,28,28]"
                        + " (f32[N,1,28,28]) from input `image` (help: insert `flatten` before `dense`:"
                        + " `... -> flatten -> dense(10)`)")
                .inOrder();
    }

    @Test
    void filesOutsideTheDisplayFolderAreNamedByAbsolutePath() {
        Path elsewhere = dir.resolveSibling("elsewhere.dnn").toAbsolutePath();
        MavenListener listener = new MavenListener(log, context, false, dir);
        assertThat(listener.displayPath(elsewhere)).isEqualTo(elsewhere.toString());
    }

    @Test
    void writesAndDeletionsGoThroughTheBuildContext() throws IOException {
        Path file = dir.resolve("A.java");
        MavenListener listener = new MavenListener(log, context, false, dir);
        listener.write(file, "class A {}".getBytes());
        listener.deleted(file);
        assertThat(Files.readString(file)).isEqualTo("class A {}");
        assertThat(context.messages).containsExactly("write " + file.toFile(), "refresh " + file.toFile()).inOrder();
    }

    static final class RecordingLog implements Log {
        final List<String> lines = new ArrayList<>();

        @Override public boolean isDebugEnabled() { return false; }
        @Override public void debug(CharSequence content) {}
        @Override public void debug(CharSequence content, Throwable error) {}
        @Override public void debug(Throwable error) {}
        @Override public boolean isInfoEnabled() { return true; }
        @Override public void info(CharSequence content) { lines.add("info: " + content); }
        @Override public void info(CharSequence content, Throwable error) { info(content); }
        @Override public void info(Throwable error) {}
        @Override public boolean isWarnEnabled() { return true; }
        @Override public void warn(CharSequence content) { lines.add("warn: " + content); }
        @Override public void warn(CharSequence content, Throwable error) { warn(content); }
        @Override public void warn(Throwable error) {}
        @Override public boolean isErrorEnabled() { return true; }
        @Override public void error(CharSequence content) { lines.add("error: " + content); }
        @Override public void error(CharSequence content, Throwable error) { error(content); }
        @Override public void error(Throwable error) {}
    }

    static final class RecordingContext implements BuildContext {
        final List<String> messages = new ArrayList<>();

        @Override public boolean hasDelta(String relpath) { return true; }
        @Override public boolean hasDelta(File file) { return true; }
        @Override public boolean hasDelta(@SuppressWarnings("rawtypes") List relpaths) { return true; }
        @Override public void refresh(File file) { messages.add("refresh " + file); }

        @Override
        public OutputStream newFileOutputStream(File file) {
            messages.add("write " + file);
            return new ByteArrayOutputStream() {
                @Override
                public void close() throws IOException {
                    Files.write(file.toPath(), toByteArray());
                }
            };
        }

        @Override public Scanner newScanner(File basedir) { throw new UnsupportedOperationException(); }
        @Override public Scanner newDeleteScanner(File basedir) { throw new UnsupportedOperationException(); }
        @Override public Scanner newScanner(File basedir, boolean ignoreDelta) { throw new UnsupportedOperationException(); }
        @Override public boolean isIncremental() { return false; }
        @Override public void setValue(String key, Object value) {}
        @Override public Object getValue(String key) { return null; }
        @Deprecated @Override public void addWarning(File file, int line, int column, String message, Throwable cause) {}
        @Deprecated @Override public void addError(File file, int line, int column, String message, Throwable cause) {}

        @Override
        public void addMessage(File file, int line, int column, String message, int severity, Throwable cause) {
            messages.add("add " + file + " " + line + ":" + column + " severity " + severity + " " + message);
        }

        @Override public void removeMessages(File file) { messages.add("remove " + file); }
        @Override public boolean isUptodate(File target, File source) { return false; }
    }
}
