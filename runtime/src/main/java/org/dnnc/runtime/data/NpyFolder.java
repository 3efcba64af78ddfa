package org.dnnc.runtime.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.dnnc.runtime.io.Npy;
import org.dnnc.runtime.io.NpyArray;

/**
 * A data set from a folder of {@code .npy} files, one column per file named by the file's stem:
 * {@code tokens.npy} of shape {@code [n, 40]} becomes the column {@code tokens: int[40]}. Floating-
 * point arrays become float columns; integer arrays (token ids, labels, lengths) int columns.
 */
final class NpyFolder {
    private NpyFolder() {}

    static Dataset read(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            throw new IOException(folder + ": not a folder");
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> entries = Files.list(folder)) {
            entries.filter(p -> p.getFileName().toString().endsWith(".npy"))
                    .filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted().forEach(files::add);
        }
        if (files.isEmpty()) {
            throw new IOException(folder + ": holds no .npy file");
        }
        Dataset.Builder builder = Dataset.builder();
        List<String> floatColumns = new ArrayList<>();
        Path first = null;
        int count = -1;
        for (Path file : files) {
            String name = file.getFileName().toString();
            name = name.substring(0, name.length() - ".npy".length());
            NpyArray array = Npy.read(file);
            int[] shape = array.shape();
            if (shape.length == 0) {
                throw new IOException(file + ": a column needs the example count as its first dimension, found a scalar");
            }
            if (count >= 0 && shape[0] != count) {
                throw new IOException(file + ": holds " + shape[0] + " examples, but " + first + " holds " + count);
            }
            first = first == null ? file : first;
            count = shape[0];
            int[] example = Arrays.copyOfRange(shape, 1, shape.length);
            if (array.dtype().contains("f")) {
                floatColumns.add(name);
                builder.floats(name, array.floats(), example);
            } else {
                builder.ints(name, ints(file, array), example);
            }
        }
        Dataset data = builder.build();
        // One float column is what a network with one float input reads, whatever its input is called.
        return floatColumns.size() == 1 ? data.withFeatureRole(floatColumns.get(0)) : data;
    }

    private static int[] ints(Path file, NpyArray array) throws IOException {
        double[] values = array.values();
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            if (values[i] < Integer.MIN_VALUE || values[i] > Integer.MAX_VALUE) {
                throw new IOException(file + ": value " + (long) values[i] + " at index " + i + " does not fit an int");
            }
            out[i] = (int) values[i];
        }
        return out;
    }
}
