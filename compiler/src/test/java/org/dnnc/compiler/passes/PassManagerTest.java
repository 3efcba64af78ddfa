package org.dnnc.compiler.passes;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.dnnc.compiler.target.CpuTarget;
import org.dnnc.compiler.ir.Dim;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.GraphBuilder;
import org.dnnc.compiler.ir.IrTypeException;
import org.dnnc.compiler.ir.IrVerificationException;
import org.dnnc.compiler.ir.Origin;
import org.dnnc.compiler.ir.Softmax;
import org.dnnc.compiler.ir.TensorType;
import org.junit.jupiter.api.Test;

class PassManagerTest {

    /** A pass for tests: applies a function and records that it ran. */
    private record TestPass(String name, List<String> log, UnaryOperator<Graph> body) implements Pass {
        @Override
        public String description() {
            return "test pass " + name;
        }

        @Override
        public Graph run(Graph graph) {
            log.add(name);
            return body.apply(graph);
        }
    }

    private static Graph graph() throws IrTypeException {
        var b = new GraphBuilder("G");
        int x = b.input("x", TensorType.f32(Dim.BATCH, Dim.of(3)), Origin.NONE);
        int unused = b.param("unused", TensorType.f32(Dim.of(3)), true, "zeros", Origin.NONE);
        int y = b.add(new Softmax(1), List.of(x), Origin.NONE);
        b.output("y", y);
        assertThat(unused).isEqualTo(1);
        return b.build();
    }

    @Test
    void runsPassesInOrderAndTellsTheListener() throws IrTypeException {
        var log = new ArrayList<String>();
        var renamed = new TestPass("rename", log, g -> new Graph("Renamed", g.nodes(), g.outputs()));
        var manager = new PassManager(List.of(renamed, new TestPass("same", log, g -> g), new DeadCodeElimination()));
        var seen = new ArrayList<String>();

        Graph result = manager.run(graph(), (pass, g) -> seen.add(pass + ":" + g.name() + ":" + g.nodes().size()));

        assertThat(log).containsExactly("rename", "same").inOrder();
        assertThat(seen).containsExactly("rename:Renamed:3", "same:Renamed:3", "dce:Renamed:2").inOrder();
        assertThat(result.name()).isEqualTo("Renamed");
        assertThat(result.nodes()).hasSize(2);
    }

    @Test
    void rejectsAPassThatBreaksTheGraph() throws IrTypeException {
        var log = new ArrayList<String>();
        var breaker = new TestPass("breaker", log, g -> new Graph(g.name(), g.nodes(), Map.of("y", 42)));
        var after = new TestPass("after", log, g -> g);
        var manager = new PassManager(List.of(breaker, after));
        var seen = new ArrayList<String>();

        var e = assertThrows(IllegalStateException.class, () -> manager.run(graph(), (pass, g) -> seen.add(pass)));

        assertThat(e).hasMessageThat().contains("pass breaker");
        assertThat(e).hasMessageThat().contains("output y names %42, which does not exist");
        assertThat(log).containsExactly("breaker");
        assertThat(seen).isEmpty();
    }

    @Test
    void verifiesTheInputFirst() {
        var log = new ArrayList<String>();
        var manager = new PassManager(List.of(new TestPass("p", log, g -> g)));
        var bad = new Graph("Bad", List.of(), Map.of("y", 0));
        assertThrows(IrVerificationException.class, () -> manager.run(bad, PassListener.NONE));
        assertThat(log).isEmpty();
    }

    @Test
    void findsPassesByName() {
        var manager = CpuTarget.INSTANCE.passes(true);
        assertThat(manager.passes().stream().map(Pass::name).toList())
                .containsExactly("dce", "fold-batchnorm", "fuse-batchnorm-add", "fuse-batchnorm-relu",
                        "fuse-batchnorm-relu-maxpool", "fuse-conv", "fuse-dense", "fuse-elementwise", "assign-layouts")
                .inOrder();
        // The CUDA emitter has no kernel for batchnorm+ReLU+max pooling nor blocked layouts: its list
        // lacks those passes, and ends with the convolution epilogues' chains, which the CPU's
        // convolutions apply themselves.
        assertThat(org.dnnc.compiler.target.CudaTarget.INSTANCE.passes(true).passes().stream().map(Pass::name).toList())
                .containsExactly("dce", "fold-batchnorm", "fuse-batchnorm-add", "fuse-batchnorm-relu", "fuse-conv",
                        "fuse-dense", "fuse-elementwise", "fuse-conv-epilogue").inOrder();
        assertThat(CpuTarget.INSTANCE.passes(false).passes().stream().map(Pass::name).toList()).containsExactly("dce");
        assertThat(manager.find("dce")).hasValue(manager.passes().get(0));
        assertThat(manager.find("cse")).isEmpty();
        assertThat(manager.passes().get(0).description()).isNotEmpty();
    }

    @Test
    void rejectsDuplicatePassNames() {
        var log = new ArrayList<String>();
        var passes = List.<Pass>of(new TestPass("p", log, g -> g), new TestPass("p", log, g -> g));
        assertThrows(IllegalArgumentException.class, () -> new PassManager(passes));
    }

    @Test
    void standardPipelineRemovesDeadCode() throws IrTypeException {
        Graph result = CpuTarget.INSTANCE.passes(true).run(graph(), PassListener.NONE);
        assertThat(result.params()).isEmpty();
        assertThat(result.nodes()).hasSize(2);
    }
}
