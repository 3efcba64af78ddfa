package org.dnnc.compiler.ir;

import static com.google.common.truth.Truth.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AttrTextTest {

    @ParameterizedTest
    @CsvSource({
        "0.5, 0.5",
        "1.0, 1",
        "100.0, 100",
        "0.1, 0.1",
        "-2.5, -2.5",
        "0.0, 0",
        "0.0001, 0.0001",
        "1e-5, 1e-05",
        "1.5e-7, 1.5e-07",
        "1e20, 1e+20",
        "123456.75, 123456.75",
        "NaN, nan",
        "-Infinity, -inf",
    })
    void numbersAreShortestPlainOrScientific(double value, String expected) {
        assertThat(AttrText.number(value)).isEqualTo(expected);
    }

    @Test
    void formatsListsEnumsAndOtherValues() {
        assertThat(AttrText.format(List.of(1, 2))).isEqualTo("[1,2]");
        assertThat(AttrText.format(List.of(Dim.of(7), Dim.BATCH))).isEqualTo("[7,N]");
        assertThat(AttrText.format(PoolKind.MAX)).isEqualTo("max");
        assertThat(AttrText.format(true)).isEqualTo("true");
        assertThat(AttrText.format(3)).isEqualTo("3");
        assertThat(AttrText.format(0.25)).isEqualTo("0.25");
        assertThat(AttrText.format("he_normal")).isEqualTo("he_normal");
    }
}
