package org.dnnc.compiler;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.dnnc.compiler.diag.Diagnostics;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.diag.Span;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.compiler.sema.Registry;
import org.dnnc.compiler.sema.Resolver;
import org.dnnc.compiler.syntax.CompilationUnit;
import org.dnnc.compiler.syntax.DnnParserFacade;

/** The front end as one call: parse, resolve names and blocks, check shapes, build each network's graph. */
public final class Compiler {
    private Compiler() {}

    /**
     * The stack of the compiling thread. Parsing, building the AST and evaluating recurse once per
     * level of nesting (parentheses, unary minus) and once per link of a chain or sum, so a deep
     * program needs a deep stack: this is room for some 200,000 levels. Only the pages used cost memory.
     */
    private static final long STACK_BYTES = 256L << 20;

    /**
     * Threads with that stack, kept for a while between compilations: starting one costs more than
     * compiling a small file.
     */
    private static final ExecutorService WORKERS = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 10, TimeUnit.SECONDS,
            new SynchronousQueue<>(), task -> {
                Thread t = new Thread(null, task, "dnnc-compile", STACK_BYTES);
                t.setDaemon(true);
                return t;
            });

    /**
     * Compiles on a worker thread with a deep stack, so that a 10,000-layer chain compiles whatever
     * stack the caller has; a program nested deeper still gets an error, not a crash.
     */
    public static Compilation compile(SourceFile file) {
        Future<Compilation> result = WORKERS.submit(() -> compileHere(file));
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return result.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException r) {
                        throw r;
                    }
                    if (e.getCause() instanceof Error err) {
                        throw err;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Compilation compileHere(SourceFile file) {
        Diagnostics diagnostics = new Diagnostics();
        List<NetworkModel> networks;
        try {
            networks = DnnParserFacade.parse(file, diagnostics)
                    .map((CompilationUnit unit) -> Resolver.resolve(unit, diagnostics, Registry.standard()))
                    .orElse(List.of());
        } catch (StackOverflowError e) {
            diagnostics.error(Span.NONE, "the program is nested too deeply to compile; split long expressions into named values");
            networks = List.of();
        }
        return new Compilation(file, diagnostics.sorted(), diagnostics.hasErrors() ? List.of() : networks);
    }

    /** The compiler's version, from the build. */
    public static String version() {
        try (var in = Compiler.class.getResourceAsStream("version.properties")) {
            var props = new java.util.Properties();
            if (in != null) {
                props.load(in);
            }
            return props.getProperty("version", "unknown");
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
