package org.dnnc.runtime.cpu;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.IntBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dnnc.runtime.io.Npy;
import org.dnnc.runtime.io.NpyArray;

/**
 * One case of the PyTorch reference data under {@code ../shared/golden/cases/} (see its README),
 * with just enough parsing of {@code case.json} for the fields the kernel tests read: tolerances,
 * numeric attributes and the name-to-file maps. No JSON library: the files are machine-written
 * with one key per line and no nested objects inside the maps. Public for the GPU tests of {@code
 * org.dnnc.runtime.cuda}, which check the device kernels against the same cases.
 */
public record Golden(String name, Path dir, String json) {

    /** The golden folder: {@code shared/golden} beside the repository root ({@code dnnc.repoRoot}). */
    static Path root() {
        return Path.of(System.getProperty("dnnc.repoRoot", "..")).toAbsolutePath().normalize()
                .resolveSibling("shared").resolve("golden");
    }

    public static Golden load(String name) {
        Path dir = root().resolve("cases").resolve(name);
        try {
            return new Golden(name, dir, Files.readString(dir.resolve("case.json")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read golden case " + name + " at " + dir
                    + " (the tests expect the shared/ folder beside the repository)", e);
        }
    }

    public double rtol() {
        return number("rtol");
    }

    public double atol() {
        return number("atol");
    }

    /** A numeric attribute from {@code attrs}. */
    double attr(String key) {
        return numberIn(object("attrs"), key);
    }

    /** A string attribute from {@code attrs}, e.g. the optimizer name. */
    String attrString(String key) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\"\\s*:\\s*\"([^\"]*)\"").matcher(object("attrs"));
        if (!m.find()) {
            throw new IllegalArgumentException(name + ": no attribute " + key);
        }
        return m.group(1);
    }

    /** Whether {@code attrs} has this key. */
    boolean hasAttr(String key) {
        return object("attrs").contains("\"" + key + "\"");
    }

    /** A name-to-file map such as {@code inputs}, {@code params}, {@code outputs}, {@code grads}. */
    Map<String, String> files(String key) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = Pattern.compile("\"([^\"]+)\"\\s*:\\s*\"([^\"]+)\"").matcher(object(key));
        while (m.find()) {
            out.put(m.group(1), m.group(2));
        }
        return out;
    }

    /** The file of one entry of a map, e.g. {@code file("grads", "x")}. */
    public String file(String map, String entry) {
        String f = files(map).get(entry);
        if (f == null) {
            throw new IllegalArgumentException(name + ": no " + map + "." + entry);
        }
        return f;
    }

    NpyArray npy(String file) {
        try {
            return Npy.read(dir.resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    float[] floats(String file) {
        return npy(file).floats();
    }

    /** A stand-alone view holding the file's values. */
    Buf buf(String file) {
        return Buf.of(floats(file));
    }

    IntBuffer ints(String file) {
        return IntBuffer.wrap(npy(file).ints());
    }

    /** The array that {@code map.entry} names, e.g. {@code array("inputs", "x")}. */
    public Buf buf(String map, String entry) {
        return buf(file(map, entry));
    }

    public float[] floats(String map, String entry) {
        return floats(file(map, entry));
    }

    /** Compares {@code actual} with the file's values using this case's tolerances. */
    void check(String what, Buf actual, String expectedFile) {
        check(what, actual.toArray(), expectedFile);
    }

    /** Compares {@code actual} (read back from wherever it was computed) with the file's values. */
    void check(String what, float[] actual, String expectedFile) {
        Close.check(name + " " + what, actual, floats(expectedFile), rtol(), atol());
    }

    /** Compares {@code actual} with {@code grads.entry}. */
    void checkGrad(String entry, Buf actual) {
        checkGrad(entry, actual.toArray());
    }

    /** Compares {@code actual} with {@code grads.entry}. */
    void checkGrad(String entry, float[] actual) {
        check("grad " + entry, actual, file("grads", entry));
    }

    private double number(String key) {
        return numberIn(json, key);
    }

    private double numberIn(String text, String key) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\"\\s*:\\s*([-+0-9.eE]+)").matcher(text);
        if (!m.find()) {
            throw new IllegalArgumentException(name + ": no number " + key);
        }
        return Double.parseDouble(m.group(1));
    }

    private String object(String key) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\"\\s*:\\s*\\{([^}]*)\\}").matcher(json);
        if (!m.find()) {
            throw new IllegalArgumentException(name + ": no object " + key);
        }
        return m.group(1);
    }
}
