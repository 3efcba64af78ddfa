package org.dnnc.maven;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * What the last build generated, kept in a small properties file under {@code target/dnnc}: per
 * input {@code .dnn} file (by its path relative to the source directory), the SHA-256 of its bytes,
 * the hash of the configuration it was compiled with (plugin and compiler version, encoding), how
 * many warnings it had, and each Java file it produced with that file's SHA-256.
 *
 * <pre>
 * format=1
 * outputRoot=target/generated-sources/dnnc
 * plugin=0.1.0-SNAPSHOT
 * input.org/example/Tiny.dnn.sha256=3f2a...
 * input.org/example/Tiny.dnn.config=91bc...
 * input.org/example/Tiny.dnn.warnings=0
 * input.org/example/Tiny.dnn.outputs=org/example/Tiny.java@5d0e...
 * </pre>
 *
 * The file is written sorted and without a date, so an unchanged state rewrites nothing.
 */
final class BuildState {
    static final String FORMAT = "1";
    /** The input hash of a file whose last compilation failed: never equal to a real hash. */
    static final String FAILED = "-";

    private static final String INPUT = "input.";

    /** One generated file, relative to the output root, with the SHA-256 of its bytes. */
    record Output(String path, String sha256) {}

    /** What one input produced the last time it was compiled. */
    record Entry(String sha256, String config, int warnings, List<Output> outputs) {
        Entry {
            outputs = List.copyOf(outputs);
        }

        Entry failed() {
            return new Entry(FAILED, config, warnings, outputs);
        }
    }

    private final String outputRoot;
    private final String plugin;
    private final Map<String, Entry> entries = new TreeMap<>();

    BuildState(String outputRoot, String plugin) {
        this.outputRoot = outputRoot;
        this.plugin = plugin;
    }

    /** The output root relative to the project directory, with {@code /}; null when unknown. */
    String outputRoot() {
        return outputRoot;
    }

    Optional<Entry> get(String input) {
        return Optional.ofNullable(entries.get(input));
    }

    void put(String input, Entry entry) {
        entries.put(input, entry);
    }

    Map<String, Entry> entries() {
        return Collections.unmodifiableMap(entries);
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    /**
     * The state in {@code file}, or empty when there is none or it cannot be read (another format,
     * a truncated file): then every input is compiled again.
     */
    static Optional<BuildState> read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | UncheckedIOException e) {
            return Optional.empty();
        }
        return parse(text);
    }

    static Optional<BuildState> parse(String text) {
        Properties p = new Properties();
        try (Reader in = new StringReader(text)) {
            p.load(in);
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
        if (!FORMAT.equals(p.getProperty("format"))) {
            return Optional.empty();
        }
        BuildState state = new BuildState(p.getProperty("outputRoot"), p.getProperty("plugin", ""));
        for (String key : p.stringPropertyNames()) {
            if (!key.startsWith(INPUT) || !key.endsWith(".sha256")) {
                continue;
            }
            String input = key.substring(INPUT.length(), key.length() - ".sha256".length());
            String prefix = INPUT + input;
            String sha = p.getProperty(key);
            String config = p.getProperty(prefix + ".config", "");
            int warnings;
            try {
                warnings = Integer.parseInt(p.getProperty(prefix + ".warnings", "0"));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
            List<Output> outputs = new ArrayList<>();
            String list = p.getProperty(prefix + ".outputs", "");
            for (String item : list.split(",")) {
                if (item.isEmpty()) {
                    continue;
                }
                int at = item.lastIndexOf('@');
                if (at <= 0) {
                    return Optional.empty();
                }
                outputs.add(new Output(item.substring(0, at), item.substring(at + 1)));
            }
            state.put(input, new Entry(sha, config, warnings, outputs));
        }
        return Optional.of(state);
    }

    /** The file's text: sorted keys, no timestamp. */
    String format() {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("format", FORMAT);
        values.put("outputRoot", outputRoot == null ? "" : outputRoot);
        values.put("plugin", plugin);
        entries.forEach((input, e) -> {
            String prefix = INPUT + input;
            values.put(prefix + ".sha256", e.sha256());
            values.put(prefix + ".config", e.config());
            values.put(prefix + ".warnings", Integer.toString(e.warnings()));
            StringBuilder outs = new StringBuilder();
            for (Output o : e.outputs()) {
                if (outs.length() > 0) {
                    outs.append(',');
                }
                outs.append(o.path()).append('@').append(o.sha256());
            }
            values.put(prefix + ".outputs", outs.toString());
        });
        StringBuilder text = new StringBuilder();
        text.append("# dnnc-maven-plugin: what each .dnn file generated in the last build.\n");
        text.append("# Delete this file to make the next build regenerate everything.\n");
        values.forEach((k, v) -> text.append(escapedLine(k, v)));
        return text.toString();
    }

    /** One {@code key=value} line with the escapes {@link Properties#load} expects. */
    private static String escapedLine(String key, String value) {
        Properties one = new Properties();
        one.setProperty(key, value);
        StringWriter w = new StringWriter();
        try {
            one.store(w, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StringBuilder line = new StringBuilder();
        for (String l : w.toString().split("\\R")) {
            if (!l.startsWith("#") && !l.isEmpty()) {
                line.append(l).append('\n');
            }
        }
        return line.toString();
    }
}
