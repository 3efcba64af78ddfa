package org.dnnc.compiler.fuzz;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import com.palantir.javapoet.JavaFile;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.dnnc.compiler.Compilation;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.autodiff.Program;
import org.dnnc.compiler.codegen.CodegenException;
import org.dnnc.compiler.codegen.JavaGenerator;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.ir.FusedElementwise;
import org.dnnc.compiler.lowering.LoweredProgram;
import org.dnnc.compiler.lowering.Lowering;
import org.dnnc.compiler.passes.ElementwiseFusion;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.compiler.target.CpuTarget;
import org.dnnc.compiler.testing.DeepChains;
import org.junit.jupiter.api.Test;

/**
 * The middle and back end on networks far deeper than any stack: every pass, the planner and the
 * generator walk the graph with loops and work lists, so they run on a thread with a small stack,
 * and their time grows about linearly with depth. ({@code GeneratedDeepNetworkTest} compiles and
 * runs the class of a 2,000-layer network.)
 */
class DeepNetworksTest {

    @Test
    void aHundredThousandLayerChainLowersOnASmallStackAndItsClassIsRefused() throws Exception {
        int layers = 100_000;
        NetworkModel model = DeepChains.model(layers);
        Lowering lowering = DeepChains.onSmallStack(() -> Lowering.of(model, CpuTarget.INSTANCE, true));
        for (Program.Kind kind : Program.Kind.values()) {
            LoweredProgram program = lowering.program(kind).orElseThrow();
            // Each layer is one fused dense call forward; the plan places every value that is not a view.
            assertWithMessage("%s", kind).that(program.graph().nodes().size()).isAtLeast(layers);
            assertWithMessage("%s", kind).that(program.plan().buffers().size()).isAtLeast(layers);
            assertWithMessage("%s", kind).that(program.plan().arenaBytes()).isAtLeast(program.plan().lowerBound());
        }
        // Training saves each layer's input for the backward pass, so the lower bound grows with depth.
        assertThat(lowering.program(Program.Kind.TRAIN).orElseThrow().plan().lowerBound()).isAtLeast(layers * 8 * 4 * 4L);
        // Its class would need far more constants than a class file holds: refused at the network.
        CodegenException tooLarge = DeepChains.onSmallStack(() -> {
            try {
                JavaGenerator.generate(lowering, DeepChains.source(layers));
                return null;
            } catch (CodegenException e) {
                return e;
            }
        });
        assertWithMessage("a class for %s layers", layers).that(tooLarge).isNotNull();
        assertThat(tooLarge.getMessage()).contains("65,535");
        assertThat(tooLarge.origin().span().line()).isEqualTo(3);
    }

    @Test
    void aLongElementwiseChainFusesIntoBoundedLoops() throws Exception {
        int layers = 5_000;
        SourceFile source = new SourceFile("Relu.dnn", "network N {\n  input x: float[4];\n  output y = x"
                + " -> relu".repeat(layers) + ";\n}\n");
        Compilation c = Compiler.compile(source);
        assertThat(c.diagnostics()).isEmpty();
        Lowering lowering = DeepChains.onSmallStack(() -> Lowering.of(c.networks().get(0), CpuTarget.INSTANCE, true));
        var nodes = lowering.inference().graph().nodes();
        int steps = 0;
        for (var n : nodes) {
            if (n.op() instanceof FusedElementwise f) {
                assertThat(f.steps().size()).isAtMost(ElementwiseFusion.MAX_STEPS);
                steps += f.steps().size();
            }
        }
        assertThat(steps).isEqualTo(layers);
        JavaFile file = DeepChains.onSmallStack(() -> JavaGenerator.generate(lowering, source));
        assertThat(file.toString()).contains("private void infer$2(int n)");
    }

    /**
     * No assertion on wall-clock time: a step that is linear in the depth costs ten times the CPU time
     * of this thread for ten times the layers (measured: 10 to 20, with the planner's logarithm and
     * the caches), and a quadratic one a hundred times; the bound between them leaves room for a busy
     * machine, which slows both runs alike, and for the garbage collector.
     */
    @Test
    void loweringTimeGrowsLinearlyWithDepth() throws Exception {
        NetworkModel small = DeepChains.model(1_000);
        NetworkModel large = DeepChains.model(10_000);
        assertGrowsLinearly("lowering", 1_000, () -> Lowering.of(small, CpuTarget.INSTANCE, true),
                () -> Lowering.of(large, CpuTarget.INSTANCE, true));
    }

    /** The same for generating the Java source, at depths whose classes fit a class file. */
    @Test
    void generationTimeGrowsLinearlyWithDepth() throws Exception {
        Lowering small = Lowering.of(DeepChains.model(200), CpuTarget.INSTANCE, true);
        Lowering large = Lowering.of(DeepChains.model(2_000), CpuTarget.INSTANCE, true);
        assertGrowsLinearly("generating", 200, () -> JavaGenerator.generate(small, DeepChains.source(200)),
                () -> JavaGenerator.generate(large, DeepChains.source(2_000)));
    }

    private static void assertGrowsLinearly(String what, int layers, DeepChains.Task<?> shallow, DeepChains.Task<?> deep)
            throws Exception {
        // The shallow run goes last, when the JIT has compiled everything both runs use.
        long deepNanos = DeepChains.onSmallStack(() -> {
            shallow.run();
            return cpuTime(deep);
        });
        long shallowNanos = DeepChains.onSmallStack(() -> cpuTime(shallow));
        double ratio = (double) deepNanos / shallowNanos;
        System.out.printf("DeepNetworksTest: %s %,d layers took %d ms of CPU, %,d layers %d ms (x%.1f)%n", what, layers,
                shallowNanos / 1_000_000, 10 * layers, deepNanos / 1_000_000, ratio);
        assertWithMessage("CPU time of %s %s layers / of %s layers (%s ms / %s ms)", what, 10 * layers, layers,
                deepNanos / 1_000_000, shallowNanos / 1_000_000).that(ratio).isLessThan(40.0);
    }

    /**
     * The best of three runs, in this thread's CPU nanoseconds. Each starts after a collection: in
     * the whole suite's JVM a run that met a heap full of other tests' garbage took four times its
     * CPU time alone, which a bound on the ratio must not mistake for growth.
     */
    private static long cpuTime(DeepChains.Task<?> task) throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long best = Long.MAX_VALUE;
        for (int run = 0; run < 3; run++) {
            System.gc();
            long start = threads.getCurrentThreadCpuTime();
            task.run();
            best = Math.min(best, threads.getCurrentThreadCpuTime() - start);
        }
        return best;
    }
}
