package org.dnnc.runtime.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A text as a sequence of token ids, for language models: either its bytes (ids 0 to 255) or its
 * characters (Unicode code points, numbered in code-point order over the characters the text uses).
 * {@link #windows} cuts it into examples of a fixed length whose target is the same window one
 * token later, the next-token task.
 *
 * <pre>{@code
 * TextCorpus corpus = TextCorpus.fortunes();
 * TextCorpus.Split parts = corpus.split(0.9);
 * Dataset train = parts.train().windows(64, "tokens", "next");
 * }</pre>
 */
public final class TextCorpus {
    /** Where Debian's {@code fortunes} package puts its corpus. */
    public static final Path FORTUNES = Path.of("/usr/share/games/fortunes");

    /** The most bytes one Java array holds. */
    private static final int MAX_BYTES = Integer.MAX_VALUE - 8;

    private final int[] ids;
    /** The code point of each id, or {@code null} for a byte-level corpus. */
    private final int[] codePoints;

    private TextCorpus(int[] ids, int[] codePoints) {
        this.ids = ids;
        this.codePoints = codePoints;
    }

    /**
     * The bytes of a file, or of every regular file in a folder (sorted by name, symbolic links
     * skipped) one after the other.
     *
     * @throws IOException if the path cannot be read, or a folder holds no regular file
     */
    public static TextCorpus bytes(Path fileOrFolder) throws IOException {
        return new TextCorpus(unsigned(read(fileOrFolder, name -> true)), null);
    }

    /**
     * The corpus of Debian's {@code fortunes} package ({@code apt-get install fortunes}), as the
     * project's PyTorch peer defines it: every regular file in {@link #FORTUNES} except the
     * {@code .dat} indexes, sorted by name and concatenated, as bytes.
     *
     * @throws IOException if the package is not installed
     */
    public static TextCorpus fortunes() throws IOException {
        if (!Files.isDirectory(FORTUNES)) {
            throw new IOException(FORTUNES + " does not exist; install the corpus with `apt-get install fortunes`");
        }
        return new TextCorpus(unsigned(read(FORTUNES, name -> !name.endsWith(".dat"))), null);
    }

    /**
     * The characters of a UTF-8 file, or of a folder's regular files as for {@link #bytes}; ids
     * number the distinct characters in code-point order, so that the vocabulary is as small as
     * the text allows.
     *
     * @throws IOException if the path cannot be read or the text is not valid UTF-8 (the message
     *     names the byte offset)
     */
    public static TextCorpus characters(Path fileOrFolder) throws IOException {
        byte[] bytes = read(fileOrFolder, name -> true);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IOException(fileOrFolder + ": not UTF-8 text (at byte " + firstMalformed(bytes)
                    + "); read it with TextCorpus.bytes instead");
        }
        int[] points = text.codePoints().toArray();
        TreeSet<Integer> distinct = new TreeSet<>();
        for (int p : points) {
            distinct.add(p);
        }
        int[] vocabulary = distinct.stream().mapToInt(Integer::intValue).toArray();
        int[] ids = new int[points.length];
        for (int i = 0; i < points.length; i++) {
            ids[i] = Arrays.binarySearch(vocabulary, points[i]);
        }
        return new TextCorpus(ids, vocabulary);
    }

    /** The number of tokens. */
    public int length() {
        return ids.length;
    }

    /** The number of distinct ids a model must score: 256 for bytes, the distinct characters otherwise. */
    public int vocabularySize() {
        return codePoints == null ? 256 : codePoints.length;
    }

    /** Whether the ids are bytes, so that a loss in bits per token is bits per byte. */
    public boolean byteLevel() {
        return codePoints == null;
    }

    /** The token ids, copied. */
    public int[] ids() {
        return ids.clone();
    }

    /**
     * The ids of a text in this corpus's vocabulary.
     *
     * @throws IllegalArgumentException if a character-level corpus never uses a character of {@code text}
     */
    public int[] encode(String text) {
        if (codePoints == null) {
            return unsigned(text.getBytes(StandardCharsets.UTF_8));
        }
        return text.codePoints().map(p -> {
            int id = Arrays.binarySearch(codePoints, p);
            if (id < 0) {
                throw new IllegalArgumentException("the character " + new String(Character.toChars(p))
                        + " (U+" + String.format("%04X", p) + ") does not occur in the corpus");
            }
            return id;
        }).toArray();
    }

    /**
     * The text of token ids (bytes that are not valid UTF-8 decode to U+FFFD).
     *
     * @throws IllegalArgumentException if an id is outside the vocabulary
     */
    public String decode(int[] tokens) {
        if (codePoints == null) {
            byte[] bytes = new byte[tokens.length];
            for (int i = 0; i < tokens.length; i++) {
                bytes[i] = (byte) checkId(tokens[i]);
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
        StringBuilder out = new StringBuilder();
        for (int id : tokens) {
            out.appendCodePoint(codePoints[checkId(id)]);
        }
        return out.toString();
    }

    /**
     * The first {@code round(length × trainFraction)} tokens for training and the rest for testing,
     * in order (neighbouring windows of a text are alike, so a random split would leak).
     *
     * @throws IllegalArgumentException if the fraction is not strictly between 0 and 1
     */
    public Split split(double trainFraction) {
        if (!(trainFraction > 0 && trainFraction < 1)) {
            throw new IllegalArgumentException("training fraction " + trainFraction + " is not between 0 and 1");
        }
        int cut = (int) (ids.length * trainFraction);
        return new Split(slice(0, cut), slice(cut, ids.length));
    }

    /**
     * Non-overlapping windows of {@code length} tokens as a data set of two int columns: the
     * window ({@code inputName}, {@code int[length]}) and the same window one token later
     * ({@code targetName}), {@code (length() - 1) / length} examples; the tail that fills no window
     * is dropped.
     *
     * @throws IllegalArgumentException if the length is not positive, the names are equal, or the
     *     corpus is too short for one window
     */
    public Dataset windows(int length, String inputName, String targetName) {
        if (length < 1) {
            throw new IllegalArgumentException("window length " + length + " is not positive");
        }
        if (inputName.equals(targetName)) {
            throw new IllegalArgumentException("the input and target columns need two names, got `" + inputName + "` twice");
        }
        int count = (ids.length - 1) / length;
        if (count < 1) {
            throw new IllegalArgumentException("a corpus of " + ids.length + " tokens holds no window of "
                    + length + " tokens and its next token");
        }
        int[] inputs = Arrays.copyOf(ids, count * length);
        int[] targets = Arrays.copyOfRange(ids, 1, count * length + 1);
        return Dataset.builder().ints(inputName, inputs, length).ints(targetName, targets, length).build();
    }

    /** A training part and a test part of a corpus. */
    public record Split(TextCorpus train, TextCorpus test) {}

    private TextCorpus slice(int from, int to) {
        return new TextCorpus(Arrays.copyOfRange(ids, from, to), codePoints);
    }

    private int checkId(int id) {
        if (id < 0 || id >= vocabularySize()) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + vocabularySize());
        }
        return id;
    }

    private static byte[] read(Path path, Predicate<String> keep) throws IOException {
        if (Files.isRegularFile(path)) {
            return Files.readAllBytes(path);
        }
        if (!Files.isDirectory(path)) {
            throw new IOException(path + ": no such file or folder");
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> entries = Files.list(path)) {
            entries.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .filter(p -> keep.test(p.getFileName().toString())).sorted().forEach(files::add);
        }
        if (files.isEmpty()) {
            throw new IOException(path + ": the folder holds no regular file to read");
        }
        List<byte[]> parts = new ArrayList<>();
        long total = 0;
        for (Path f : files) {
            byte[] part = Files.readAllBytes(f);
            total += part.length;
            if (total > MAX_BYTES) {
                throw new IOException(path + ": the corpus holds more than " + MAX_BYTES + " bytes, more than one array can");
            }
            parts.add(part);
        }
        ByteBuffer all = ByteBuffer.allocate((int) total);
        parts.forEach(all::put);
        return all.array();
    }

    private static int[] unsigned(byte[] bytes) {
        int[] out = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = bytes[i] & 0xff;
        }
        return out;
    }

    private static int firstMalformed(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CoderResult result = StandardCharsets.UTF_8.newDecoder().decode(in, CharBuffer.allocate(bytes.length + 1), true);
        return result.isError() ? in.position() : bytes.length;
    }
}
