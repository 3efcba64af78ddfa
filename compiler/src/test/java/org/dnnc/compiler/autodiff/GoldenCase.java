package org.dnnc.compiler.autodiff;

import static com.google.common.truth.Truth.assertWithMessage;

import java.io.IOException;
import java.nio.file.Path;
import org.dnnc.compiler.testing.RepoPaths;
import org.dnnc.runtime.io.Npy;

/**
 * One case of PyTorch's reference data ({@code ../shared/golden/cases/NAME}) with its tolerances:
 * a value matches when {@code |actual - expected| <= atol + rtol·|expected|}.
 */
public record GoldenCase(Path dir, double atol, double rtol) {

    /**
     * The case {@code name} with its tolerances, from the {@code shared} folder beside the repository:
     * {@code dnnc.repoRoot} names the repository where it is set, even one that holds no sources (as
     * in the GPU check's bundle, which carries only the cases its tests read).
     */
    public static GoldenCase of(String name, double atol, double rtol) {
        String configured = System.getProperty("dnnc.repoRoot");
        Path root = configured != null ? Path.of(configured).toAbsolutePath().normalize() : RepoPaths.root();
        return new GoldenCase(root.resolveSibling("shared").resolve("golden/cases").resolve(name), atol, rtol);
    }

    /** One of the case's arrays, as doubles. */
    public double[] read(String file) {
        try {
            return Npy.read(dir.resolve(file)).values();
        } catch (IOException e) {
            throw new AssertionError("cannot read golden file " + dir.resolve(file) + ": " + e.getMessage(), e);
        }
    }

    /** One of the case's arrays, as floats (the precision of a generated class's tensors). */
    public float[] readFloats(String file) {
        double[] values = read(file);
        float[] floats = new float[values.length];
        for (int i = 0; i < floats.length; i++) {
            floats[i] = (float) values[i];
        }
        return floats;
    }

    /** {@link #assertMatches(String, double[], String)} for a generated class's floats. */
    public void assertMatches(String what, float[] actual, String expectedFile) {
        double[] widened = new double[actual.length];
        for (int i = 0; i < actual.length; i++) {
            widened[i] = actual[i];
        }
        assertMatches(what, widened, expectedFile);
    }

    /** Fails naming the first element of {@code actual} outside the tolerances of the file's. */
    public void assertMatches(String what, double[] actual, String expectedFile) {
        double[] expected = read(expectedFile);
        assertWithMessage("%s: size", what).that(actual.length).isEqualTo(expected.length);
        for (int i = 0; i < actual.length; i++) {
            assertWithMessage("%s[%s]", what, i).that(actual[i]).isWithin(atol + rtol * Math.abs(expected[i])).of(expected[i]);
        }
    }
}
