package org.dnnc.runtime.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * <a href="https://github.com/zalandoresearch/fashion-mnist">Fashion-MNIST</a> (Zalando Research,
 * MIT licence): 28x28 grey-scale images of clothing in 10 classes, in the IDX files of MNIST.
 * {@link #load} takes, in this order:
 *
 * <ol>
 *   <li>the directory the caller names;
 *   <li>{@value #SYSTEM_DIR_NAME}, the full set (60,000 training and 10,000 test images) that the
 *       Debian package {@code dataset-fashion-mnist} installs;
 *   <li>the subset in the repository's {@code data/fashion-mnist-subset/} (the first 10,000
 *       training and 2,000 test images), found from the working directory upwards, or in the
 *       folder the system property {@value #DATA_PROPERTY} names instead of {@code data/}.
 * </ol>
 *
 * Each directory must hold {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte},
 * {@code t10k-images-idx3-ubyte} and {@code t10k-labels-idx1-ubyte}, each gzipped (with
 * {@code .gz}) or not.
 *
 * @param source which copy was loaded, with its example counts, to show users
 */
public record FashionMnist(Dataset train, Dataset test, String source) {
    /** Class names by label. */
    public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    /** Where Debian's {@code dataset-fashion-mnist} package installs the full data set. */
    public static final String SYSTEM_DIR_NAME = "/usr/share/datasets/fashion-mnist";
    /** System property naming the folder that holds {@code fashion-mnist-subset/}, instead of the repository's {@code data/}. */
    public static final String DATA_PROPERTY = "dnnc.data";

    private static final String SUBSET = "fashion-mnist-subset";
    private static final List<String> FILES = List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

    /**
     * Loads the training and test sets from the first place that has them (see the class comment).
     *
     * @param dir a directory to use instead of searching
     * @throws IOException if {@code dir} (or the folder {@value #DATA_PROPERTY} names) lacks a file,
     *     if no copy is found, or if a file is invalid
     */
    public static FashionMnist load(Optional<Path> dir) throws IOException {
        return load(locate(dir, Path.of(SYSTEM_DIR_NAME), Optional.ofNullable(System.getProperty(DATA_PROPERTY)),
                Path.of("").toAbsolutePath()));
    }

    /** A directory holding the four files, and how to describe it to users. */
    record Location(Path dir, String description) {}

    /** The search of {@link #load(Optional)}, with its starting points passed in so tests can move them. */
    static Location locate(Optional<Path> dir, Path systemDir, Optional<String> dataFolder, Path workingDir)
            throws IOException {
        if (dir.isPresent()) {
            return new Location(requireComplete(dir.get(), "the given directory"), "Fashion-MNIST from " + dir.get());
        }
        if (missing(systemDir).isEmpty()) {
            return new Location(systemDir, "Fashion-MNIST from " + systemDir + " (Debian package dataset-fashion-mnist)");
        }
        if (dataFolder.isPresent()) {
            Path subset = Path.of(dataFolder.get()).resolve(SUBSET);
            requireComplete(subset, "-D" + DATA_PROPERTY + "=" + dataFolder.get());
            return new Location(subset, "the Fashion-MNIST subset shipped with dnnc, from " + subset);
        }
        for (Path d = workingDir; d != null; d = d.getParent()) {
            Path subset = d.resolve("data").resolve(SUBSET);
            if (missing(subset).isEmpty()) {
                return new Location(subset, "the Fashion-MNIST subset shipped with dnnc, from " + subset);
            }
        }
        throw new IOException("Fashion-MNIST not found: no directory was given, " + systemDir
                + " is missing (apt-get install dataset-fashion-mnist), and neither " + workingDir
                + " nor a folder above it holds data/" + SUBSET + " (set -D" + DATA_PROPERTY
                + " to the folder that holds " + SUBSET + ")");
    }

    /** Reads the four files of {@code location}. */
    static FashionMnist load(Location location) throws IOException {
        Path dir = location.dir();
        Dataset train = Dataset.fromIdx(file(dir, FILES.get(0)), file(dir, FILES.get(1)));
        Dataset test = Dataset.fromIdx(file(dir, FILES.get(2)), file(dir, FILES.get(3)));
        for (Dataset data : List.of(train, test)) {
            if (data.classCounts().length > CLASSES.size()) {
                throw new IOException(dir + ": labels up to " + (data.classCounts().length - 1) + ", but Fashion-MNIST has "
                        + CLASSES.size() + " classes");
            }
        }
        return new FashionMnist(train, test, location.description() + ": " + train.size() + " training and "
                + test.size() + " test examples");
    }

    private static Path requireComplete(Path dir, String what) throws IOException {
        List<String> missing = missing(dir);
        if (!missing.isEmpty()) {
            throw new IOException(dir + " (" + what + ") lacks the Fashion-MNIST files " + String.join(", ", missing)
                    + " (each gzipped with .gz or plain)");
        }
        return dir;
    }

    private static List<String> missing(Path dir) {
        List<String> missing = new ArrayList<>();
        for (String name : FILES) {
            if (file(dir, name) == null) {
                missing.add(name);
            }
        }
        return missing;
    }

    /** The gzipped file called {@code name} in {@code dir}, else the plain one, else {@code null}. */
    private static Path file(Path dir, String name) {
        for (Path candidate : List.of(dir.resolve(name + ".gz"), dir.resolve(name))) {
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
