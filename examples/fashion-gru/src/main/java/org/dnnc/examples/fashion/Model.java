package org.dnnc.examples.fashion;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.dnnc.runtime.data.Standardization;

/** The files {@link Train} writes next to the checkpoint: the input standardization, one mean and deviation. */
final class Model {
    private Model() {}

    static void saveStandardization(Path dir, Standardization s) throws IOException {
        Properties p = new Properties();
        p.setProperty("mean", Float.toString(s.mean()[0]));
        p.setProperty("std", Float.toString(s.std()[0]));
        try (Writer w = Files.newBufferedWriter(dir.resolve("standardization.properties"))) {
            p.store(w, "global pixel mean and standard deviation of the training set");
        }
    }

    /** {mean, std}. */
    static float[] loadStandardization(Path dir) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(dir.resolve("standardization.properties"))) {
            p.load(r);
        }
        return new float[] {Float.parseFloat(p.getProperty("mean")), Float.parseFloat(p.getProperty("std"))};
    }
}
