package org.dnnc.compiler.sema;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.dnnc.compiler.Compilation;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.diag.Diagnostic;
import org.dnnc.compiler.diag.DiagnosticRenderer;
import org.dnnc.compiler.diag.Severity;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Op;
import org.dnnc.compiler.ir.Param;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.TestInfo;

/**
 * What the shape tests share: compiling a small program, reading the inferred types and
 * parameters off its graph, and pinning down a diagnostic by message, line and column.
 *
 * <p>Types print as the IR prints them: the batch is {@code N}, a sequence length its name, e.g.
 * {@code f32[N,16,14,14]} or {@code f32[N,T,128]}; a loss is {@code f32[]}.
 *
 * <p>Every successful compilation records the registry layers its graph contains (from the layer
 * paths the nodes carry: {@code y.conv2d1} is a {@code conv2d}). A test marked {@link Covers} must
 * really have compiled the layers it names; {@link LayerCoverageTest} then checks that every layer
 * of the registry is named by some test.
 */
abstract class ShapeTestSupport {

    /** The registry layers (and losses) whose shapes a test checks; verified after the test. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @interface Covers {
        String[] value();
    }

    private final Set<String> layersCompiled = new TreeSet<>();

    @AfterEach
    void compiledTheLayersItClaims(TestInfo info) {
        info.getTestMethod().map(m -> m.getAnnotation(Covers.class)).ifPresent(covers -> {
            for (String layer : covers.value()) {
                assertWithMessage("%s is marked @Covers(\"%s\") but compiled only %s", info.getDisplayName(), layer, layersCompiled)
                        .that(layersCompiled).contains(layer);
            }
        });
    }

    /** Compiles {@code source}, which must give no errors (warnings are allowed), and returns its one network. */
    NetworkModel compileOk(String source) {
        Compilation c = Compiler.compile(new SourceFile("test.dnn", source));
        assertWithMessage("errors compiling:\n%s\n%s", source, rendered(c)).that(c.hasErrors()).isFalse();
        assertThat(c.networks()).hasSize(1);
        NetworkModel model = c.networks().get(0);
        record(model.graph());
        return model;
    }

    /** Like {@link #compileOk} but also without warnings. */
    NetworkModel compileClean(String source) {
        Compilation c = Compiler.compile(new SourceFile("test.dnn", source));
        assertWithMessage("diagnostics compiling:\n%s\n%s", source, rendered(c)).that(c.diagnostics()).isEmpty();
        return compileOk(source);
    }

    Compilation compile(String source) {
        return Compiler.compile(new SourceFile("test.dnn", source));
    }

    private void record(Graph g) {
        for (Node n : g.nodes()) {
            String path = n.origin().path();
            String last = path.substring(path.lastIndexOf('.') + 1).replaceAll("[0-9]+$", "");
            Registry.standard().layer(last).ifPresent(spec -> layersCompiled.add(spec.name()));
        }
    }

    // ---- reading a graph -----------------------------------------------------------------------

    /** The printed type of output {@code name} (or of the training loss, {@code loss}). */
    static String type(NetworkModel m, String output) {
        Graph g = m.graph();
        Integer id = g.outputs().get(output);
        assertWithMessage("outputs of %s", m.name()).that(g.outputs()).containsKey(output);
        return g.node(id).type().toString();
    }

    /** The op that produced output {@code name}. */
    static Op op(NetworkModel m, String output) {
        Graph g = m.graph();
        return g.node(g.outputs().get(output)).op();
    }

    /** Every parameter and buffer, in creation order: name to printed type. */
    static Map<String, String> params(NetworkModel m) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Node n : m.graph().params()) {
            Param p = (Param) n.op();
            out.put(p.name(), p.type().toString());
        }
        return out;
    }

    /** The names of the parameters that are not trained (batch-norm running statistics). */
    static Set<String> buffers(NetworkModel m) {
        return m.graph().params().stream().map(n -> (Param) n.op()).filter(p -> !p.trainable())
                .map(Param::name).collect(Collectors.toCollection(TreeSet::new));
    }

    /** Parameter name to initializer. */
    static Map<String, String> inits(NetworkModel m) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Node n : m.graph().params()) {
            Param p = (Param) n.op();
            out.put(p.name(), p.init());
        }
        return out;
    }

    /** The mnemonics of the non-leaf nodes, in order. */
    static List<String> ops(NetworkModel m) {
        List<String> out = new ArrayList<>();
        for (Node n : m.graph().nodes()) {
            if (!n.inputs().isEmpty()) {
                out.add(n.op().mnemonic());
            }
        }
        return out;
    }

    // ---- diagnostics ---------------------------------------------------------------------------

    static List<Diagnostic> errors(Compilation c) {
        return c.diagnostics().stream().filter(d -> d.severity() == Severity.ERROR).toList();
    }

    static List<Diagnostic> warnings(Compilation c) {
        return c.diagnostics().stream().filter(d -> d.severity() == Severity.WARNING).toList();
    }

    /** Compiles {@code source}, which must give exactly one error, and returns it. */
    Diagnostic onlyError(String source) {
        Compilation c = compile(source);
        List<Diagnostic> errors = errors(c);
        assertWithMessage("errors compiling:\n%s\n%s", source, rendered(c)).that(errors).hasSize(1);
        assertThat(c.networks()).isEmpty();
        return errors.get(0);
    }

    /** Asserts the one error of {@code source}: its message, line and column. */
    Diagnostic assertError(String source, String message, int line, int column) {
        Diagnostic d = onlyError(source);
        assertAt(d, message, line, column);
        return d;
    }

    static void assertAt(Diagnostic d, String message, int line, int column) {
        assertThat(d.message()).isEqualTo(message);
        assertWithMessage("line of `%s`", d.message()).that(d.span().line()).isEqualTo(line);
        assertWithMessage("column of `%s`", d.message()).that(d.span().column()).isEqualTo(column);
    }

    /** The notes of a diagnostic as {@code line:column message}. */
    static List<String> notes(Diagnostic d) {
        return d.notes().stream().map(n -> n.span().line() + ":" + n.span().column() + " " + n.message()).toList();
    }

    static String rendered(Compilation c) {
        DiagnosticRenderer r = new DiagnosticRenderer(false);
        return c.diagnostics().stream().map(d -> r.render(c.source(), d)).collect(Collectors.joining());
    }
}
