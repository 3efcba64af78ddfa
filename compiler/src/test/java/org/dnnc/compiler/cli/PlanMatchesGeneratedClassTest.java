package org.dnnc.compiler.cli;

import static com.google.common.truth.Truth.assertWithMessage;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.testing.RepoPaths;
import org.dnnc.compiler.codegen.JavaGenerator;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.compiler.target.CpuTarget;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * What {@code dnnc plan} prints for each program of each example that generates Java (and of a
 * recurrent network, whose layers save a workspace for their gradients) is, buffer for buffer, what
 * the generated class carves out of its workspace: the same offsets and the same (aligned) sizes,
 * and a workspace as large as the largest plan.
 */
class PlanMatchesGeneratedClassTest {
    /** A buffer line of {@code dnnc plan}: label, bytes, offset, live range. */
    private static final Pattern PLAN_LINE = Pattern.compile("^  (%\\S.*?)\\s+([0-9,]+)\\s+([0-9,]+)\\s+\\[\\d+, \\d+\\]$");
    private static final Pattern PLANNED = Pattern.compile("^  planned:\\s+([0-9,]+) bytes$");
    /** A view in the generated constructor: program prefix, field, element kind, offset, count. */
    private static final Pattern VIEW = Pattern.compile(
            "^\\s*([tei])(\\w+) = workspace\\.(floats|ints)\\((\\d+)L, (\\d+)\\);$");
    private static final Pattern WORKSPACE = Pattern.compile("WORKSPACE_BYTES = (\\d+)L;");

    /** The examples with a train section whose layers the CPU target emits. */
    private static final List<String> GENERATED = List.of("FashionMlp.dnn", "FashionCnn.dnn", "FashionResnet.dnn",
            "FashionAutoencoder.dnn");

    @TestFactory
    Stream<DynamicTest> everyProgramOfEveryExample() {
        List<Path> examples = RepoPaths.exampleFiles().stream()
                .filter(p -> GENERATED.contains(p.getFileName().toString())).toList();
        assertWithMessage("examples found").that(examples).hasSize(GENERATED.size());
        Path recurrent = RepoPaths.testResources().resolve("cli/sequence_classifier.dnn");
        return Stream.concat(examples.stream(), Stream.of(recurrent)).flatMap(file -> Stream.of("train", "eval", "infer").map(program ->
                DynamicTest.dynamicTest(file.getFileName() + " " + program, () -> check(file, program))));
    }

    private static void check(Path file, String program) throws Exception {
        Cli.Result printed = Cli.run("plan", "--program", program, file.toString());
        assertWithMessage(printed.err()).that(printed.exitCode()).isEqualTo(Main.OK);
        SourceFile source = SourceFile.read(file);
        NetworkModel model = Compiler.compile(source).networks().get(0);
        String java = JavaGenerator.generate(model, source).toString();

        Map<String, String> planned = new TreeMap<>();
        long arena = -1;
        for (String line : printed.out().lines().toList()) {
            Matcher m = PLAN_LINE.matcher(line);
            if (m.matches()) {
                planned.put(key(m.group(1)), number(m.group(3)) + " +" + number(m.group(2)));
            }
            Matcher p = PLANNED.matcher(line);
            if (p.matches()) {
                arena = number(p.group(1));
            }
        }
        Map<String, String> allocated = new TreeMap<>();
        String prefix = program.substring(0, 1);
        for (String line : java.lines().toList()) {
            Matcher m = VIEW.matcher(line);
            if (m.matches() && m.group(1).equals(prefix)) {
                long bytes = CpuTarget.INSTANCE.memory().align(4L * Long.parseLong(m.group(5)));
                allocated.put(fieldKey(m.group(2)), m.group(4) + " +" + bytes);
            }
        }
        assertWithMessage("buffers of the %s program", program).that(planned).isNotEmpty();
        assertWithMessage("value -> offset +bytes of the %s program: generated class vs dnnc plan", program)
                .that(allocated).containsExactlyEntriesIn(planned);
        Matcher workspace = WORKSPACE.matcher(java);
        assertWithMessage("WORKSPACE_BYTES").that(workspace.find()).isTrue();
        assertWithMessage("the workspace holds the printed arena").that(Long.parseLong(workspace.group(1)))
                .isAtLeast(arena);
    }

    /**
     * {@code 12} for the plan's {@code %12 dense}, {@code scratch12} for {@code %12 scratch of conv2d},
     * {@code saved12} for {@code %12 saved by gru}.
     */
    private static String key(String label) {
        String id = label.substring(1).split(" ")[0];
        return label.contains(" scratch of ") ? "scratch" + id : label.contains(" saved by ") ? "saved" + id : id;
    }

    /** The same key for a generated field: {@code 12_logits_dense1}, {@code Scratch12} or {@code Saved12}. */
    private static String fieldKey(String field) {
        if (field.startsWith("Scratch")) {
            return "scratch" + field.substring("Scratch".length());
        }
        return field.startsWith("Saved") ? "saved" + field.substring("Saved".length()) : field.split("_")[0];
    }

    private static long number(String printed) {
        return Long.parseLong(printed.replace(",", ""));
    }
}
