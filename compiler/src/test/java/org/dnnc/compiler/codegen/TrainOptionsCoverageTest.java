package org.dnnc.compiler.codegen;

import static com.google.common.truth.Truth.assertWithMessage;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.dnnc.compiler.Compilation;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.diag.Diagnostic;
import org.dnnc.compiler.diag.Severity;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.sema.ArgType;
import org.dnnc.compiler.sema.Category;
import org.dnnc.compiler.sema.Duration;
import org.dnnc.compiler.sema.OptionSpec;
import org.dnnc.compiler.sema.ParamSpec;
import org.dnnc.compiler.sema.Registry;
import org.dnnc.compiler.sema.RegistryEntry;
import org.junit.jupiter.api.Test;

/**
 * Nothing in the train section is accepted and ignored: every optimizer, schedule, initializer,
 * augmentation, directive, setting and loss of the registry, and every value of each of their
 * arguments that this test tries, either changes the generated class (its code, comments aside) or
 * is refused by {@code check} with an error on the line that says it. An option added to the
 * registry without being handled makes two of its variants generate the same class, and fails here.
 */
class TrainOptionsCoverageTest {
    private static final Registry REGISTRY = Registry.standard();

    /** The network every variant is written into; its loss line and option line are fixed. */
    private static final String TEMPLATE = """
            package org.dnnc.test;

            network Options {
                input image: float[1, 4, 4];
                input %s;
                hidden = image -> flatten -> dense(8) -> relu;
                logits = hidden -> dense(3);
                output probs = softmax(logits);
                train {
                    loss = %s;
                    %s
                }
            }
            """;
    private static final String LABEL = "label: int";
    private static final String TARGET = "target: float[3]";
    private static final String CLASSIFIER_LOSS = "cross_entropy(logits, label)";
    /** The lines of the loss and of the option under test in {@link #TEMPLATE}. */
    private static final int LOSS_LINE = 10;
    private static final int OPTION_LINE = 11;

    private static final Pattern ALIAS = Pattern.compile("Another name for `?(\\w+)`?");

    private final Map<String, Outcome> cache = new HashMap<>();
    private final List<String> refusals = new ArrayList<>();

    /** What a variant became: the code of its generated class, or the error that refused it at check. */
    private record Outcome(String code, Diagnostic refusal) {}

    @Test
    void everyOptionAndArgumentChangesTheTrainingStepOrIsRefused() {
        for (RegistryEntry entry : REGISTRY.all()) {
            if (entry instanceof OptionSpec spec) {
                if (spec.category() == Category.SETTING) {
                    setting(spec);
                } else {
                    option(spec);
                }
            }
        }
        System.out.println("Refused at check:\n  " + String.join("\n  ", refusals));
    }

    @Test
    void everyLossChangesTheTrainingStep() {
        Map<String, Outcome> variants = new LinkedHashMap<>();
        for (String loss : REGISTRY.names(Category.LOSS)) {
            // A loss of class labels or of float targets: the one that check accepts.
            String onLabels = loss + "(logits, label)";
            boolean labels = !Compiler.compile(new SourceFile("Options.dnn", source(LABEL, onLabels, ""))).hasErrors();
            variants.put(loss, labels ? outcome(LABEL, onLabels, "", LOSS_LINE)
                    : outcome(TARGET, loss + "(logits, target)", "", LOSS_LINE));
        }
        variants.put("a weighted sum", outcome(TARGET, "mse(logits, target) + 0.5 * bce_with_logits(logits, target)", "",
                LOSS_LINE));
        assertDistinct("the losses", variants, Map.of());
    }

    /** A setting: each value of its one argument, the default (the line left out) first. */
    private void setting(OptionSpec spec) {
        ParamSpec value = spec.params().get(0);
        if (value.type() instanceof ArgType.LossArg) {
            return; // the loss is the subject of everyLossChangesTheTrainingStep
        }
        Map<String, Outcome> variants = new LinkedHashMap<>();
        for (String v : values(value, 0)) {
            String line = v == null ? "" : spec.name() + " = " + v + ";";
            String key = v != null ? line : value.defaultValue() == null ? spec.name() + " left out"
                    : spec.name() + " = " + value.defaultText() + "; (left out)";
            variants.put(key, outcome(LABEL, CLASSIFIER_LOSS, line, OPTION_LINE));
        }
        assertDistinct("setting `" + spec.name() + "`", variants, aliases(value.type()));
    }

    /** An optimizer, schedule, initializer, augmentation or directive: each value of each argument. */
    private void option(OptionSpec spec) {
        if (spec.category() == Category.AUGMENTATION || spec.category() == Category.DIRECTIVE) {
            Map<String, Outcome> presence = new LinkedHashMap<>();
            presence.put("without it", outcome(LABEL, CLASSIFIER_LOSS, "", OPTION_LINE));
            presence.put("with it", outcome(LABEL, CLASSIFIER_LOSS, line(spec, Map.of()), OPTION_LINE));
            assertDistinct("`" + spec.name() + "`", presence, Map.of());
        }
        for (int i = 0; i < spec.params().size(); i++) {
            ParamSpec p = spec.params().get(i);
            Map<String, Outcome> variants = new LinkedHashMap<>();
            for (String v : values(p, i)) {
                Map<String, String> args = new HashMap<>();
                if (v != null) {
                    args.put(p.name(), v);
                }
                String line = line(spec, args);
                variants.put(line, outcome(LABEL, CLASSIFIER_LOSS, line, OPTION_LINE));
            }
            assertDistinct("`" + spec.name() + "` argument `" + p.name() + "`", variants, Map.of());
        }
    }

    /** How the option is written in the train section, with its required arguments and those in {@code args}. */
    private static String line(OptionSpec spec, Map<String, String> args) {
        String call = call(spec, args);
        return switch (spec.category()) {
            case OPTIMIZER -> "optimizer = " + call + ";";
            case SCHEDULE -> "schedule = " + call + ";";
            case INITIALIZER -> "init = " + call + ";";
            case AUGMENTATION -> "augment image: " + call + ";";
            case DIRECTIVE -> call + ";";
            default -> throw new AssertionError("no train-section line for " + spec.category() + " " + spec.name());
        };
    }

    private static String call(OptionSpec spec, Map<String, String> args) {
        List<String> written = new ArrayList<>();
        for (int i = 0; i < spec.params().size(); i++) {
            ParamSpec p = spec.params().get(i);
            String v = args.containsKey(p.name()) ? args.get(p.name()) : p.required() ? values(p, i).get(0) : null;
            if (v != null) {
                written.add(p.name() + ": " + v);
            }
        }
        boolean bare = written.isEmpty() && spec.category() != Category.DIRECTIVE;
        return bare ? spec.name() : spec.name() + "(" + String.join(", ", written) + ")";
    }

    /**
     * Values of an argument as written in source: first the default ({@code null}, the argument left
     * out) or, for a required one, a sample; then others that must each generate something else.
     * Required samples grow with the argument's position, so that related bounds such as
     * {@code cyclical}'s {@code min_lr <= max_lr} hold for every variant.
     */
    private static List<String> values(ParamSpec p, int position) {
        ArgType type = p.type();
        Object d = p.defaultValue();
        List<String> values = new ArrayList<>();
        values.add(null);
        if (type instanceof ArgType.BoolArg) {
            values.add(String.valueOf(!(Boolean) d));
        } else if (type instanceof ArgType.EnumArg e) {
            e.values().stream().filter(v -> !v.equals(d)).forEach(values::add);
        } else if (type instanceof ArgType.IntArg t) {
            long v0 = d != null ? (Long) d : Math.max(t.min(), Math.min(t.max(), 2 + position));
            values.set(0, d != null ? null : Long.toString(v0));
            values.add(Long.toString(v0 + 1 <= t.max() ? v0 + 1 : v0 - 1));
        } else if (type instanceof ArgType.RealArg r) {
            Double v0 = d != null ? (Double) d : p.required() ? 0.01 * (position + 1) : null;
            values.set(0, d != null || v0 == null ? null : number(v0));
            values.add(number(otherReal(r, v0)));
        } else if (type instanceof ArgType.DurationArg u) {
            Duration v0 = d != null ? (Duration) d : new Duration(2 + position, u.units().get(0));
            String other = u.units().stream().filter(x -> !x.equals(v0.unit())).findFirst().orElseThrow();
            values.set(0, d != null ? null : v0.toString());
            values.add((v0.amount() + 1) + " " + v0.unit());
            values.add(v0.amount() + " " + other);
        } else if (type instanceof ArgType.StrArg) {
            values.set(0, "\"a.safetensors\"");
            values.add("\"b.safetensors\"");
        } else if (type instanceof ArgType.ValueNameArg) {
            values.set(0, "hidden");
            values.add("logits");
        } else if (type instanceof ArgType.OptionArg o) {
            for (String name : REGISTRY.names(o.category())) {
                if (!name.equals(d)) {
                    values.add(call(REGISTRY.option(name, o.category()).orElseThrow(), Map.of()));
                }
            }
        } else {
            throw new AssertionError("no sample values for " + type + " (argument `" + p.name()
                    + "`): teach this test the new argument type");
        }
        return values;
    }

    /** A value in range that differs from {@code v0} (absent: any value in range). */
    private static double otherReal(ArgType.RealArg r, Double v0) {
        List<Double> candidates = new ArrayList<>();
        if (v0 != null) {
            candidates.add(v0 * 1.5);
            candidates.add(v0 / 2);
        }
        candidates.addAll(List.of(0.5, 0.25, 2.0, 3.0));
        return candidates.stream().filter(x -> !x.equals(v0) && inRange(r, x)).findFirst().orElseThrow();
    }

    private static boolean inRange(ArgType.RealArg r, double x) {
        return (r.minExclusive() ? x > r.min() : x >= r.min()) && (r.maxExclusive() ? x < r.max() : x <= r.max());
    }

    private static String number(double x) {
        return BigDecimal.valueOf(x).toPlainString();
    }

    /** For an option-valued setting: the entries that declare themselves another name for one another. */
    private static Map<String, String> aliases(ArgType type) {
        Map<String, String> aliases = new HashMap<>();
        if (type instanceof ArgType.OptionArg o) {
            for (String name : REGISTRY.names(o.category())) {
                Matcher m = ALIAS.matcher(REGISTRY.option(name, o.category()).orElseThrow().summary());
                if (m.find()) {
                    aliases.put(name, m.group(1));
                }
            }
        }
        return aliases;
    }

    /**
     * Every variant that check accepts must generate code unlike every other's, except a declared
     * alias and what it names.
     */
    private void assertDistinct(String what, Map<String, Outcome> variants, Map<String, String> aliases) {
        Map<String, String> byCode = new LinkedHashMap<>();
        for (var variant : variants.entrySet()) {
            Outcome o = variant.getValue();
            if (o.refusal() != null) {
                refusals.add(variant.getKey() + ": " + o.refusal().message());
                continue;
            }
            String earlier = byCode.putIfAbsent(o.code(), variant.getKey());
            if (earlier != null && !sameOption(earlier, variant.getKey(), aliases)) {
                assertWithMessage("%s: `%s` and `%s` generate the same class, so one of them is accepted and ignored;"
                        + " generate it, or refuse it at check with a positioned error", what, earlier, variant.getKey())
                        .fail();
            }
        }
    }

    private static boolean sameOption(String a, String b, Map<String, String> aliases) {
        return aliases.entrySet().stream().anyMatch(e -> (a.contains(" " + e.getKey() + ";") && b.contains(" " + e.getValue() + ";"))
                || (b.contains(" " + e.getKey() + ";") && a.contains(" " + e.getValue() + ";")));
    }

    private static String source(String target, String loss, String optionLine) {
        return String.format(TEMPLATE, target, loss, optionLine);
    }

    /**
     * The generated class of one variant, without comments (a setting that only changes a comment
     * is ignored) and without the source's hash; or the check error on the line of what is tested.
     */
    private Outcome outcome(String target, String loss, String optionLine, int line) {
        return cache.computeIfAbsent(source(target, loss, optionLine), t -> {
            Compilation c = Compiler.compile(new SourceFile("Options.dnn", t));
            List<Diagnostic> errors = c.diagnostics().stream().filter(d -> d.severity() == Severity.ERROR).toList();
            if (!errors.isEmpty()) {
                Optional<Diagnostic> positioned = errors.stream().filter(d -> d.span().line() == line).findFirst();
                assertWithMessage("`%s` fails check, but not with an error on its line:\n%s", optionLine + loss,
                        errors.stream().map(d -> d.span().line() + ":" + d.span().column() + ": " + d.message())
                                .collect(Collectors.joining("\n"))).that(positioned.isPresent()).isTrue();
                return new Outcome(null, positioned.get());
            }
            try {
                String code = JavaGenerator.generate(c.networks().get(0), c.source()).toString();
                return new Outcome(code.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "")
                        .replaceAll("[0-9a-f]{64}", ""), null);
            } catch (CodegenException e) {
                throw new AssertionError("`" + optionLine + "` with loss `" + loss + "` passes check but code generation"
                        + " refuses it: " + e.getMessage(), e);
            }
        });
    }
}
