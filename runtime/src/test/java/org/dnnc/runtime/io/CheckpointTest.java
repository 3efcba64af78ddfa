package org.dnnc.runtime.io;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CheckpointTest {
    private static final Path FILE = Path.of("net.safetensors");

    @Test
    void metadataCountParsesDecimalCountsAndIsZeroWhenAbsent() throws CheckpointException {
        Checkpoint checkpoint = new Checkpoint(FILE, Map.of(),
                Map.of("steps", "1234", "zero", "0", "max", Long.toString(Long.MAX_VALUE)));
        assertThat(checkpoint.metadataCount("steps")).isEqualTo(1234);
        assertThat(checkpoint.metadataCount("zero")).isEqualTo(0);
        assertThat(checkpoint.metadataCount("max")).isEqualTo(Long.MAX_VALUE);
        assertThat(checkpoint.metadataCount("epochs")).isEqualTo(0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "", "-1", "+5", " 5", "1.0", "1e3", "9223372036854775808", "\u0665"})
    void metadataCountRejectsAnythingElse(String value) {
        Checkpoint checkpoint = new Checkpoint(FILE, Map.of(), Map.of("steps", value));
        CheckpointException e = assertThrows(CheckpointException.class, () -> checkpoint.metadataCount("steps"));
        assertThat(e).hasMessageThat().isEqualTo(FILE + ": metadata `steps` must be a non-negative integer, found "
                + Json.quote(value));
    }
}
