package org.dnnc.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Collectors;
import org.dnnc.runtime.ElementType;
import org.dnnc.runtime.Network;
import org.dnnc.runtime.TensorSpec;
import org.dnnc.runtime.data.Dataset;
import org.dnnc.runtime.data.FashionMnist;
import org.dnnc.runtime.data.Standardization;
import org.dnnc.runtime.data.TextCorpus;
import org.dnnc.runtime.train.TargetKind;
import org.dnnc.runtime.train.TrainableNetwork;

/**
 * The data {@code dnnc run} trains and tests on: IDX images (Fashion-MNIST's layout), a folder of
 * {@code .npy} columns, or a text cut into next-token windows, shaped for the network's inputs.
 *
 * @param train the training examples
 * @param test the test examples
 * @param source where they came from, for the first line of output
 * @param corpus the text, for a language model; {@code null} otherwise
 */
record RunData(Dataset train, Dataset test, String source, TextCorpus corpus) {
    /** The share of a text that trains; the rest, its end, tests (as the PyTorch peer splits). */
    static final double TEXT_TRAIN_FRACTION = 0.9;

    /** A mistake in the data or in how it meets the network: reported as an input error, exit 1. */
    static final class DataException extends Exception {
        DataException(String message) {
            super(message);
        }
    }

    /**
     * IDX images from {@code folder} (or the default Fashion-MNIST), or the {@code train/} and
     * {@code test/} folders of {@code .npy} columns under it, used as they are. A classifier's images
     * are standardized with the training set's mean and deviation; a network trained to reconstruct
     * its input (an autoencoder) gets the pixels as they are, in [0, 1], since the input is also its
     * target: a reconstruction through a sigmoid, as is usual, could never reach standardized values.
     */
    static RunData fromFolder(Path folder, Network net) throws IOException, DataException {
        if (folder != null && Files.isDirectory(folder.resolve("train")) && Files.isDirectory(folder.resolve("test"))) {
            return new RunData(Dataset.fromNpyFolder(folder.resolve("train")), Dataset.fromNpyFolder(folder.resolve("test")),
                    folder + " (.npy columns)", null);
        }
        FashionMnist mnist = FashionMnist.load(Optional.ofNullable(folder));
        boolean reconstructs = net instanceof TrainableNetwork trainable && trainable.targetKind() == TargetKind.INPUT;
        Standardization standardize = Standardization.global(mnist.train());
        Dataset train = reconstructs ? mnist.train() : standardize.apply(mnist.train());
        Dataset test = reconstructs ? mnist.test() : standardize.apply(mnist.test());
        String source = mnist.source() + (reconstructs ? ", pixels in [0, 1] (the input is the target)" : "");
        return shaped(train, test, source, net);
    }

    /** Images at most this many of which also test, as the PyTorch peer's {@code --synthetic} does. */
    static final int SYNTHETIC_TEST = 10_000;

    /**
     * {@code n} random Fashion-MNIST-shaped examples, as {@code shared/bench/pytorch_fmnist.py
     * --synthetic n} makes them, for throughput on a machine without the data set: pixels drawn from
     * a standard normal and labels uniform in [0, 10), seeded; the first 10,000 (or all) test. The
     * same distribution and shapes as PyTorch's, not the same numbers (another generator).
     */
    static RunData synthetic(int n, long seed, Network net) {
        Random random = new Random(seed);
        float[] pixels = new float[n * 28 * 28];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) random.nextGaussian();
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = random.nextInt(10);
        }
        Dataset train = Dataset.of(pixels, new int[] {1, 28, 28}, labels);
        return shaped(train, train.head(Math.min(n, SYNTHETIC_TEST)), n + " random images (seed " + seed
                + "; throughput only, the accuracy means nothing)", net);
    }

    private static RunData shaped(Dataset train, Dataset test, String source, Network net) {
        List<TensorSpec> floats = net.inputs().stream().filter(s -> s.type() == ElementType.FLOAT32).toList();
        int[] shape = train.exampleShape();
        // A network that reads the image as 28 steps of 28 features (or as 784 values) gets the same pixels.
        if (floats.size() == 1 && !Arrays.equals(floats.get(0).shape(), shape)
                && floats.get(0).size() == train.exampleSize()) {
            int[] wanted = floats.get(0).shape();
            return new RunData(train.reshape(wanted), test.reshape(wanted),
                    source + ", images as " + Arrays.toString(wanted), null);
        }
        return new RunData(train, test, source, null);
    }

    /**
     * A text as windows for a network with one int input of shape [T] and an int target of the same
     * shape (the next token at every step); the first {@code limit} training windows if given.
     */
    static RunData text(TextCorpus corpus, String source, Integer limit, TrainableNetwork net) throws DataException {
        List<TensorSpec> inputs = net.inputs();
        List<TensorSpec> targets = net.targets();
        if (inputs.size() != 1 || inputs.get(0).type() != ElementType.INT32 || inputs.get(0).shape().length != 1
                || targets.size() != 1 || !targets.get(0).type().equals(ElementType.INT32)
                || !Arrays.equals(targets.get(0).shape(), inputs.get(0).shape())) {
            throw new DataException("--text feeds a language model: one int input of shape [T] (a window of tokens) "
                    + "and an int target of the same shape (the next token at every step), but network " + net.name()
                    + " reads " + names(inputs) + (targets.isEmpty() ? "" : " and is trained on " + names(targets)));
        }
        if (net.classes() < corpus.vocabularySize()) {
            throw new DataException("the text has " + corpus.vocabularySize() + " distinct tokens, but network "
                    + net.name() + " scores " + net.classes() + " classes");
        }
        int length = inputs.get(0).shape()[0];
        TextCorpus.Split parts = corpus.split(TEXT_TRAIN_FRACTION);
        try {
            Dataset train = parts.train().windows(length, inputs.get(0).name(), targets.get(0).name());
            Dataset test = parts.test().windows(length, inputs.get(0).name(), targets.get(0).name());
            if (limit != null) {
                train = train.head(limit);
            }
            String unit = corpus.byteLevel() ? " bytes" : " characters";
            return new RunData(train, test, source + " (" + corpus.length() + unit + "; " + train.size()
                    + " training and " + test.size() + " test windows of " + length + ")", corpus);
        } catch (IllegalArgumentException e) {
            throw new DataException(source + ": " + e.getMessage());
        }
    }

    private static String names(List<TensorSpec> specs) {
        return specs.stream().map(TensorSpec::toString).collect(Collectors.joining(", "));
    }
}
