package org.dnnc.compiler.target;

import static com.google.common.truth.Truth.assertThat;

import org.junit.jupiter.api.Test;

/** {@link DenseGemms} explains the runtime's rule, so it must use the runtime's threshold. */
class DenseGemmsTest {

    @Test
    void theThresholdIsTheRuntimes() {
        assertThat(DenseGemms.ONEDNN_MIN_MACS).isEqualTo(org.dnnc.runtime.cpu.Dense.ONEDNN_MIN_MACS);
    }
}
