package org.dnnc.maven;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import org.apache.maven.plugin.logging.Log;
import org.codehaus.plexus.build.BuildContext;
import org.dnnc.compiler.diag.Diagnostic;
import org.dnnc.compiler.diag.DiagnosticRenderer;
import org.dnnc.compiler.diag.Severity;
import org.dnnc.compiler.diag.SourceFile;

/**
 * Connects a {@link DnncBuild} to Maven: diagnostics go to the build log exactly as the compiler
 * renders them ({@code path:line:col: error: ...}, the source line, a caret, help lines), and, in an
 * IDE, to the build context as markers with line, column and severity; generated files are written
 * and deleted through the build context so the IDE sees them.
 */
final class MavenListener implements DnncBuild.Listener {
    private final Log log;
    private final BuildContext context;
    private final boolean ide;
    private final Path displayBase;
    private final DiagnosticRenderer renderer = new DiagnosticRenderer(false);

    /**
     * @param ide whether to report diagnostics to {@code context} as well: on the command line the
     *     default build context would only log each of them a second time
     * @param displayBase diagnostics name files relative to this folder (where Maven was started)
     *     when they are under it, else by absolute path
     */
    MavenListener(Log log, BuildContext context, boolean ide, Path displayBase) {
        this.log = log;
        this.context = context;
        this.ide = ide;
        this.displayBase = displayBase.toAbsolutePath().normalize();
    }

    @Override
    public String displayPath(Path input) {
        Path file = input.toAbsolutePath().normalize();
        return file.startsWith(displayBase) && !file.equals(displayBase)
                ? displayBase.relativize(file).toString()
                : file.toString();
    }

    @Override
    public void compiling(Path input) {
        if (ide) {
            context.removeMessages(input.toFile());
        }
    }

    @Override
    public void diagnostic(Path input, SourceFile source, Diagnostic d) {
        String text = renderer.render(source, d).stripTrailing();
        switch (d.severity()) {
            case ERROR -> log.error(text);
            case WARNING -> log.warn(text);
            case NOTE -> log.info(text);
        }
        if (ide && d.severity() != Severity.NOTE) {
            int severity = d.severity() == Severity.ERROR ? BuildContext.SEVERITY_ERROR : BuildContext.SEVERITY_WARNING;
            context.addMessage(input.toFile(), d.span().line(), d.span().column(), markerText(d), severity, null);
        }
    }

    /** One line for an IDE marker: the message, then each hint. */
    static String markerText(Diagnostic d) {
        StringBuilder s = new StringBuilder(d.message());
        for (String hint : d.hints()) {
            s.append(" (help: ").append(hint).append(')');
        }
        return s.toString();
    }

    @Override
    public void write(Path file, byte[] content) throws IOException {
        try (OutputStream out = context.newFileOutputStream(file.toFile())) {
            out.write(content);
        }
    }

    @Override
    public void deleted(Path file) {
        context.refresh(file.toFile());
    }

    @Override
    public void debug(String message) {
        if (log.isDebugEnabled()) {
            log.debug(message);
        }
    }
}
