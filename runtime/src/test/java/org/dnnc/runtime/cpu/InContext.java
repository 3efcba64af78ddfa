package org.dnnc.runtime.cpu;

import java.util.function.Supplier;

/** Runs test code inside a fresh {@link CpuContext} of a given thread count, closed afterwards. */
final class InContext {

    private InContext() {}

    static <T> T call(int threads, Supplier<T> body) {
        try (CpuContext context = CpuContext.create(threads)) {
            CpuContext.Scope scope = context.enter();
            try {
                return body.get();
            } finally {
                scope.close();
            }
        }
    }

    static void run(int threads, Runnable body) {
        call(threads, () -> {
            body.run();
            return null;
        });
    }
}
