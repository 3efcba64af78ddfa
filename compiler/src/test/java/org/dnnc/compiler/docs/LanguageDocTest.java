package org.dnnc.compiler.docs;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.dnnc.compiler.Compilation;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.diag.Diagnostic;
import org.dnnc.compiler.diag.DiagnosticRenderer;
import org.dnnc.compiler.diag.Severity;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.sema.Category;
import org.dnnc.compiler.sema.ParamSpec;
import org.dnnc.compiler.sema.Registry;
import org.dnnc.compiler.sema.RegistryEntry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Keeps {@code docs/language.md} honest: its examples compile, its error examples print what the
 * compiler prints, and its reference covers exactly the registry, with the registry's arguments and
 * defaults.
 *
 * <p>Conventions of the document (described in it, too):
 *
 * <ul>
 *   <li>A {@code ```dnn} block that declares a {@code network} is a complete file and must compile
 *       without errors. Any other {@code ```dnn} block is a piece of a network body and is compiled
 *       inside {@link #WRAPPER_HEAD}.
 *   <li>A {@code ```dnn-error} block must fail to compile, and is followed by a {@code ```text}
 *       block: for a complete file, exactly the rendered diagnostics (path {@code example.dnn}, no
 *       colour); for a piece, a text that contains the first error's message.
 *   <li>The reference starts at the heading {@code # Reference}; it has one {@code ## } heading per
 *       category and one {@code ### name} heading per registry entry.
 * </ul>
 */
class LanguageDocTest {
    private static final String DOC = "docs/language.md";

    /** What a snippet is compiled in; the document shows the same lines. */
    static final String WRAPPER_HEAD = """
            network Doc {
                input image: float[1, 28, 28];
                input features: float[64];
                input tokens: int[T <= 100];
                input series: float[T <= 100, 8];
                input label: int;
                input target: float[10];
            """;

    private static final String WRAPPER_TAIL = "}\n";

    private static final Pattern COMPLETE_PROGRAM = Pattern.compile("(?m)^\\s*network\\s+[A-Za-z_]");

    /** The {@code ## } heading under which each category's entries are listed. */
    private static final Map<Category, String> CATEGORY_HEADINGS = Map.of(
            Category.LAYER, "Layers",
            Category.LOSS, "Losses",
            Category.OPTIMIZER, "Optimizers",
            Category.SCHEDULE, "Learning-rate schedules",
            Category.INITIALIZER, "Initializers",
            Category.AUGMENTATION, "Augmentations",
            Category.SETTING, "Train settings",
            Category.DIRECTIVE, "Train directives");

    private static final Registry REGISTRY = Registry.standard();

    private static Path docPath;
    private static List<String> lines;
    private static List<Block> blocks;

    /** A fenced code block: the 1-based line of its opening fence, its info string and its text. */
    record Block(int line, String info, String text) {
        boolean isComplete() {
            return COMPLETE_PROGRAM.matcher(text).find();
        }

        String where() {
            return DOC + ":" + line;
        }
    }

    /** A heading outside code blocks. */
    record Heading(int line, int level, String text) {}

    /** The text of one reference entry, from its heading to the next heading of level 3 or less. */
    record Section(String name, String category, int line, List<String> lines, List<Block> blocks) {
        String text() {
            return String.join("\n", lines);
        }
    }

    @BeforeAll
    static void load() throws IOException {
        docPath = locate();
        lines = Files.readAllLines(docPath, StandardCharsets.UTF_8);
        blocks = parseBlocks(lines);
    }

    // ---- (a) every dnn example compiles -----------------------------------------------------

    @TestFactory
    Stream<DynamicTest> everyDnnExampleCompiles() {
        List<Block> examples = blocks.stream().filter(b -> b.info().equals("dnn")).toList();
        assertWithMessage("```dnn examples in %s", docPath).that(examples).isNotEmpty();
        return examples.stream().map(b -> DynamicTest.dynamicTest(b.where() + (b.isComplete() ? " (file)" : " (snippet)"), () -> {
            SourceFile source = source(b);
            Compilation c = Compiler.compile(source);
            assertWithMessage("the example at %s does not compile:\n%s\nsource as compiled:\n%s",
                    b.where(), render(source, c, true), numbered(source.text()))
                    .that(c.errorCount()).isEqualTo(0);
        }));
    }

    // ---- (b) every dnn-error example fails as shown --------------------------------------

    @TestFactory
    Stream<DynamicTest> everyErrorExampleFailsAsShown() {
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            Block b = blocks.get(i);
            if (!b.info().equals("dnn-error")) {
                continue;
            }
            Block next = i + 1 < blocks.size() ? blocks.get(i + 1) : null;
            tests.add(DynamicTest.dynamicTest(b.where() + (b.isComplete() ? " (file)" : " (snippet)"), () -> {
                assertWithMessage("the ```dnn-error block at %s must be followed by a ```text block with its output", b.where())
                        .that(next != null && next.info().equals("text") && onlyBlankBetween(b, next)).isTrue();
                SourceFile source = source(b);
                Compilation c = Compiler.compile(source);
                assertWithMessage("the error example at %s compiles without errors; source as compiled:\n%s",
                        b.where(), numbered(source.text()))
                        .that(c.errorCount()).isGreaterThan(0);
                String expected = next.text().stripTrailing();
                if (b.isComplete()) {
                    String actual = render(source, c, false).stripTrailing();
                    assertWithMessage("the output shown at %s differs from what the compiler prints:\n%s\n", next.where(), actual)
                            .that(actual).isEqualTo(expected);
                } else {
                    Diagnostic first = c.diagnostics().stream().filter(d -> d.severity() == Severity.ERROR).findFirst().orElseThrow();
                    assertWithMessage("the text at %s should show the first error; the compiler prints:\n%s",
                            next.where(), render(source, c, false))
                            .that(expected).contains(first.message());
                }
            }));
        }
        assertWithMessage("```dnn-error examples in %s", docPath).that(tests).isNotEmpty();
        return tests.stream();
    }

    // ---- (c) the reference covers exactly the registry ------------------------------------

    @Test
    void everyRegistryEntryHasExactlyOneHeading() {
        List<String> problems = new ArrayList<>();
        for (RegistryEntry e : REGISTRY.all()) {
            long count = headings().stream().filter(h -> h.level() == 3 && h.text().equals(e.name())).count();
            if (count != 1) {
                problems.add("`### " + e.name() + "` (" + e.category().words() + ") appears " + count + " times");
            }
        }
        assertWithMessage("registry entries without exactly one heading in %s", docPath).that(problems).isEmpty();
    }

    @Test
    void everyReferenceHeadingNamesARegistryEntry() {
        List<String> stale = referenceHeadings().stream()
                .filter(h -> h.level() == 3 && REGISTRY.lookup(h.text()).isEmpty())
                .map(h -> DOC + ":" + h.line() + ": ### " + h.text())
                .toList();
        assertWithMessage("reference headings that name nothing in the registry (stale docs?)").that(stale).isEmpty();
    }

    @Test
    void referenceHasOneSectionPerCategory() {
        List<String> categories = referenceHeadings().stream().filter(h -> h.level() == 2).map(Heading::text).toList();
        assertThat(categories).containsExactlyElementsIn(CATEGORY_HEADINGS.values());
    }

    @Test
    void snippetWrapperIsDocumented() {
        String text = String.join("\n", lines) + "\n";
        assertWithMessage("the reference should show the network that snippets are compiled in")
                .that(text).contains(WRAPPER_HEAD);
    }

    // ---- (d), (e) each entry: summary, category, example, arguments --------------------------

    @TestFactory
    Stream<DynamicTest> everyRegistryEntryIsDocumented() {
        return REGISTRY.all().stream().map(e -> DynamicTest.dynamicTest(e.name() + " (" + e.category().words() + ")", () -> {
            Optional<Section> found = section(e.name());
            assertWithMessage("no `### %s` in the reference of %s", e.name(), docPath).that(found.isPresent()).isTrue();
            Section s = found.get();
            String where = DOC + ":" + s.line();

            assertWithMessage("`### %s` at %s is under the wrong category heading", e.name(), where)
                    .that(s.category()).isEqualTo(CATEGORY_HEADINGS.get(e.category()));
            assertWithMessage("the section of `%s` at %s should start with the registry's summary", e.name(), where)
                    .that(s.text()).contains(e.summary());

            Pattern use = usePattern(e);
            boolean example = s.blocks().stream()
                    .filter(b -> b.info().equals("dnn"))
                    .anyMatch(b -> use.matcher(code(b.text())).find());
            assertWithMessage("the section of `%s` at %s needs a ```dnn example that uses it (%s)", e.name(), where, use.pattern())
                    .that(example).isTrue();

            Map<String, String> rows = argumentRows(s);
            for (ParamSpec p : e.params()) {
                assertWithMessage("the argument table of `%s` at %s lacks `%s`", e.name(), where, p.name())
                        .that(rows).containsKey(p.name());
                assertWithMessage("the default of `%s` in the table of `%s` at %s", p.name(), e.name(), where)
                        .that(rows.get(p.name())).isEqualTo(p.defaultText());
            }
            List<String> known = e.params().stream().map(ParamSpec::name).toList();
            assertWithMessage("the argument table of `%s` at %s lists arguments the registry does not have", e.name(), where)
                    .that(known).containsAtLeastElementsIn(rows.keySet());
        }));
    }

    /** How an example shows that it uses an entry: a call, a chain stage, a setting, or the bare name. */
    private static Pattern usePattern(RegistryEntry e) {
        String name = Pattern.quote(e.name());
        return switch (e.category()) {
            case LAYER, LOSS -> Pattern.compile("(?<![\\w.])" + name + "\\s*\\(|->\\s*" + name + "(?!\\w)");
            case DIRECTIVE -> Pattern.compile("(?<![\\w.])" + name + "\\s*\\(");
            case SETTING -> Pattern.compile("(?<![\\w.])" + name + "\\s*=(?!=)");
            // An option by name or call, but not an argument name such as `momentum: 0.9`.
            default -> Pattern.compile("(?<![\\w.])" + name + "(?!\\w)(?!\\s*:)");
        };
    }

    /**
     * The rows of the section's argument table: argument name (the first `code` in the first cell)
     * to its default (the third cell without `*` and backticks).
     */
    private static Map<String, String> argumentRows(Section s) {
        Map<String, String> rows = new LinkedHashMap<>();
        Pattern firstCode = Pattern.compile("`([^`]+)`");
        boolean inCode = false;
        for (String line : s.lines()) {
            if (line.startsWith("```")) {
                inCode = !inCode;
            }
            if (inCode || !line.startsWith("|") || line.startsWith("| ---") || line.startsWith("|---")) {
                continue;
            }
            String[] cells = line.split("(?<!\\\\)\\|", -1);
            if (cells.length < 5) {
                continue;
            }
            Matcher m = firstCode.matcher(cells[1]);
            if (!m.find()) {
                continue; // the header row
            }
            rows.put(m.group(1), cells[3].replace("`", "").replace("*", "").strip());
        }
        return rows;
    }

    @Test
    void documentHasManyExamples() {
        long dnn = blocks.stream().filter(b -> b.info().equals("dnn")).count();
        long errors = blocks.stream().filter(b -> b.info().equals("dnn-error")).count();
        assertThat(dnn).isAtLeast(REGISTRY.all().size());
        assertThat(errors).isAtLeast(3);
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static SourceFile source(Block b) {
        String text = b.isComplete() ? b.text() : WRAPPER_HEAD + b.text() + WRAPPER_TAIL;
        return new SourceFile("example.dnn", text);
    }

    private static String render(SourceFile source, Compilation c, boolean errorsOnly) {
        DiagnosticRenderer renderer = new DiagnosticRenderer(false);
        return c.diagnostics().stream()
                .filter(d -> !errorsOnly || d.severity() == Severity.ERROR)
                .map(d -> renderer.render(source, d))
                .collect(Collectors.joining());
    }

    private static String numbered(String text) {
        String[] split = text.split("\n", -1);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < split.length; i++) {
            out.append(String.format("%4d | %s%n", i + 1, split[i]));
        }
        return out.toString();
    }

    /** The code of an example without comments and strings, for looking up the names it uses. */
    private static String code(String text) {
        return text.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\n]*", " ").replaceAll("\"(?:[^\"\\\\\n]|\\\\.)*\"", "\"\"");
    }

    private static boolean onlyBlankBetween(Block first, Block second) {
        int closing = first.line() + (int) first.text().lines().count() + 1; // 1-based line of the closing fence
        for (int line = closing + 1; line < second.line(); line++) {
            if (!lines.get(line - 1).isBlank()) {
                return false;
            }
        }
        return true;
    }

    static List<Block> parseBlocks(List<String> lines) {
        List<Block> result = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (!line.startsWith("```")) {
                continue;
            }
            String info = line.substring(3).strip();
            int start = i;
            StringBuilder text = new StringBuilder();
            i++;
            while (i < lines.size() && !lines.get(i).strip().equals("```")) {
                text.append(lines.get(i)).append('\n');
                i++;
            }
            if (i == lines.size()) {
                throw new AssertionError(DOC + ":" + (start + 1) + ": code block is never closed");
            }
            result.add(new Block(start + 1, info, text.toString()));
        }
        return result;
    }

    private static List<Heading> headings() {
        List<Heading> result = new ArrayList<>();
        boolean inCode = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("```")) {
                inCode = !inCode;
                continue;
            }
            if (inCode || !line.startsWith("#")) {
                continue;
            }
            int level = 0;
            while (level < line.length() && line.charAt(level) == '#') {
                level++;
            }
            if (level < line.length() && line.charAt(level) == ' ') {
                result.add(new Heading(i + 1, level, line.substring(level + 1).strip()));
            }
        }
        return result;
    }

    /** The headings after {@code # Reference}. */
    private static List<Heading> referenceHeadings() {
        List<Heading> all = headings();
        int start = -1;
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).level() == 1 && all.get(i).text().equals("Reference")) {
                start = i;
            }
        }
        assertWithMessage("%s has no `# Reference` heading", docPath).that(start).isAtLeast(0);
        return all.subList(start + 1, all.size());
    }

    private static Optional<Section> section(String name) {
        List<Heading> ref = referenceHeadings();
        String category = null;
        for (int i = 0; i < ref.size(); i++) {
            Heading h = ref.get(i);
            if (h.level() == 2) {
                category = h.text();
            }
            if (h.level() != 3 || !h.text().equals(name)) {
                continue;
            }
            int end = lines.size();
            for (int j = i + 1; j < ref.size(); j++) {
                if (ref.get(j).level() <= 3) {
                    end = ref.get(j).line() - 1;
                    break;
                }
            }
            int from = h.line();
            int to = end;
            List<Block> inside = blocks.stream().filter(b -> b.line() > from && b.line() <= to).toList();
            return Optional.of(new Section(name, category, h.line(), lines.subList(h.line(), end), inside));
        }
        return Optional.empty();
    }

    /** {@code dnnc.repoRoot} (set by the build), else the nearest folder upwards that holds the document. */
    private static Path locate() {
        String root = System.getProperty("dnnc.repoRoot");
        if (root != null && !root.isBlank() && Files.isRegularFile(Path.of(root, DOC))) {
            return Path.of(root, DOC);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(DOC))) {
                return dir.resolve(DOC);
            }
        }
        throw new AssertionError("cannot find " + DOC + " (dnnc.repoRoot=" + root + ", working directory "
                + Path.of("").toAbsolutePath() + ")");
    }
}
