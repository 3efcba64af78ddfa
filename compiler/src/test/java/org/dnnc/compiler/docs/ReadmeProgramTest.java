package org.dnnc.compiler.docs;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.codegen.JavaGenerator;
import org.dnnc.compiler.codegen.JavaSourceCompiler;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.compiler.testing.RepoPaths;
import org.dnnc.runtime.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's network and its complete Java program, taken from the README as written: the
 * network compiles, the program compiles against the generated class, trains on the shipped
 * subset, prints a test accuracy near the README's figure and writes a checkpoint.
 */
class ReadmeProgramTest {
    private static final Pattern FENCE = Pattern.compile("```(dnn|java)\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern ACCURACY = Pattern.compile("test accuracy (\\d+\\.\\d+)");

    @TempDir
    Path work;

    @Test
    void theReadmeProgramTrainsAndSaves() throws Exception {
        String readme = Files.readString(RepoPaths.root().resolve("README.md"));
        String network = block(readme, "dnn", "network FashionMlp");
        String program = block(readme, "java", "public static void main");

        Path dnn = work.resolve("FashionMlp.dnn");
        Files.writeString(dnn, network);
        SourceFile source = SourceFile.read(dnn);
        NetworkModel model = Compiler.compile(source).networks().get(0);
        String generated = JavaGenerator.generate(model, source).toString();
        Map<String, Class<?>> classes = JavaSourceCompiler.compile(
                Map.of(model.qualifiedName(), generated, "org.dnnc.examples.fashion.QuickStart", program), work,
                List.of("-Xlint:all", "-Werror"));

        Path checkpoint = work.resolve("fashion-mlp.safetensors");
        String printed = runMain(classes.get("org.dnnc.examples.fashion.QuickStart"),
                RepoPaths.root().resolve("data/fashion-mnist-subset").toString(), checkpoint.toString());

        Matcher accuracy = ACCURACY.matcher(printed);
        assertWithMessage("program output:\n%s", printed).that(accuracy.find()).isTrue();
        // The README says "about 0.85 after its 10 epochs" on the subset.
        assertThat(Double.parseDouble(accuracy.group(1))).isGreaterThan(0.82);
        assertThat(printed).contains("first test image: ");
        assertThat(Safetensors.read(checkpoint).tensors()).hasSize(6);
    }

    private static String block(String markdown, String language, String marker) {
        Matcher m = FENCE.matcher(markdown);
        while (m.find()) {
            if (m.group(1).equals(language) && m.group(2).contains(marker)) {
                return m.group(2);
            }
        }
        throw new AssertionError("README.md has no ```" + language + " block containing `" + marker + "`");
    }

    private static String runMain(Class<?> main, String... args) throws Exception {
        Method method = main.getMethod("main", String[].class);
        PrintStream saved = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            method.invoke(null, (Object) args);
        } finally {
            System.setOut(saved);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
