package org.dnnc.runtime.train;

import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The just-in-time compiler's queue, read through HotSpot's diagnostic command {@code
 * Compiler.queue} (what {@code jcmd PID Compiler.queue} prints), so that {@link WarmUp} can wait
 * for the compiles it caused. On a JVM without the command, the queue counts as empty.
 */
final class CompilerQueue {
    /** Polls this far apart. */
    private static final long POLL_MILLIS = 10;
    /** Polls at most: a wait is bounded even if the compiler never catches up. */
    private static final int MAX_POLLS = 300;

    private CompilerQueue() {}

    /** Sleeps until no method is being compiled or waits to be, or {@link #MAX_POLLS} polls have passed. */
    static void drain() {
        for (int i = 0; i < MAX_POLLS && !idle(); i++) {
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Whether no compile is running or queued; {@code true} where the JVM cannot say. */
    static boolean idle() {
        String listing = listing();
        return listing == null || idle(listing);
    }

    /** What {@code Compiler.queue} prints, or {@code null} on a JVM without it. */
    static String listing() {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            Object listing = server.invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerQueue",
                    new Object[] {null}, new String[] {String[].class.getName()});
            return listing == null ? null : listing.toString();
        } catch (JMException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Whether a listing of {@code Compiler.queue} names no method: only its headings ("Current
     * compiles:", "C1 compile queue:", ...), "Empty" and blank lines.
     */
    static boolean idle(String listing) {
        return listing.lines().map(String::strip)
                .allMatch(line -> line.isEmpty() || line.equals("Empty") || line.endsWith(":"));
    }
}
