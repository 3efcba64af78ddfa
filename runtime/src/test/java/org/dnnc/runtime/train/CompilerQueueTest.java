package org.dnnc.runtime.train;

import static com.google.common.truth.Truth.assertThat;

import org.junit.jupiter.api.Test;

/** {@link CompilerQueue} reads HotSpot's {@code Compiler.queue} listing. */
class CompilerQueueTest {

    @Test
    void aListingWithoutMethodsIsIdle() {
        assertThat(CompilerQueue.idle("Current compiles: \n\nC1 compile queue:\nEmpty\n\nC2 compile queue:\nEmpty\n\n"))
                .isTrue();
    }

    @Test
    void aCompileRunningOrQueuedIsNot() {
        assertThat(CompilerQueue.idle("Current compiles: \nC2 CompilerThread0  4052       4       "
                + "org.dnnc.runtime.cpu.Dense::forward (78 bytes)\n\nC1 compile queue:\nEmpty\n\nC2 compile queue:\nEmpty\n"))
                .isFalse();
        assertThat(CompilerQueue.idle("Current compiles: \n\nC1 compile queue:\nEmpty\n\nC2 compile queue:\n"
                + "4060       4       org.dnnc.runtime.cpu.Dense::backwardBias (16 bytes)\n")).isFalse();
    }

    @Test
    void theJvmThatRunsTheTestsPrintsTheListing() {
        assertThat(CompilerQueue.listing()).contains("C2 compile queue:");
    }
}
