package org.dnnc.compiler.ir;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The typing tests shared by the op test classes; each subclass lists its cases in static methods
 * {@code accepted()} and {@code rejected()}, which {@link OpSamples} gathers for the coverage tests.
 */
abstract class OpTypingContract {

    @ParameterizedTest
    @MethodSource("accepted")
    void infersResultType(OpCase c) throws IrTypeException {
        assertThat(c.op().inferType(c.operands())).isEqualTo(c.result());
    }

    @ParameterizedTest
    @MethodSource("rejected")
    void rejectsWithMessage(OpCase c) {
        var e = assertThrows(IrTypeException.class, () -> c.op().inferType(c.operands()));
        assertThat(e).hasMessageThat().isEqualTo(c.message());
    }
}
