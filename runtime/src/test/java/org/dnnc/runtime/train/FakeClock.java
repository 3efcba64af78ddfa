package org.dnnc.runtime.train;

import java.util.function.LongSupplier;

/** A nanosecond clock for tests that moves only when told to, or by a fixed tick per reading. */
final class FakeClock implements LongSupplier {
    private final long tick;
    private long now;

    /** @param tick nanoseconds added after each reading */
    FakeClock(long tick) {
        this.tick = tick;
    }

    void advanceMillis(long millis) {
        now += millis * 1_000_000;
    }

    @Override
    public long getAsLong() {
        long reading = now;
        now += tick;
        return reading;
    }
}
