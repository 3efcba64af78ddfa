package org.dnnc.compiler.testing;

import static com.google.common.truth.Truth.assertWithMessage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden-file comparison. Run with {@code -Ddnnc.updateGolden=true} to rewrite the files after an
 * intended change, then review the diff before committing it.
 */
public final class Golden {
    private Golden() {}

    public static boolean updating() {
        return Boolean.getBoolean("dnnc.updateGolden");
    }

    public static void check(Path golden, String actual) throws IOException {
        if (updating()) {
            Files.createDirectories(golden.getParent());
            Files.writeString(golden, actual, StandardCharsets.UTF_8);
            return;
        }
        assertWithMessage("golden file %s is missing; create it with -Ddnnc.updateGolden=true and review it", golden)
                .that(Files.exists(golden)).isTrue();
        String expected = Files.readString(golden, StandardCharsets.UTF_8);
        assertWithMessage("output differs from %s (if the change is intended, rerun with -Ddnnc.updateGolden=true"
                + " and review the diff)", golden)
                .that(actual).isEqualTo(expected);
    }
}
