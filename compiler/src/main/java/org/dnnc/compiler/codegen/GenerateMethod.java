package org.dnnc.compiler.codegen;

import static javax.lang.model.element.Modifier.PUBLIC;

import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import java.util.Map;
import java.util.Optional;
import org.dnnc.compiler.ir.CrossEntropy;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Input;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.ShiftRight;

/**
 * {@code generate(...)} for a network whose decoder reads its target shifted right and whose loss
 * scores an output against that target: greedy decoding by the runtime's {@code GreedyDecoding},
 * with the target's name and length and the scoring output's name filled in.
 */
final class GenerateMethod {
    private GenerateMethod() {}

    /** What decoding needs to know of the network. */
    private record Decoded(String target, int steps, String logits) {}

    /** Adds the methods when {@code forward}, the network's graph with its loss, has such a target. */
    static void addIfDecoder(TypeSpec.Builder type, Graph forward) {
        find(forward).ifPresent(d -> {
            type.addMethod(MethodSpec.methodBuilder("generate").addModifiers(PUBLIC).returns(int[].class)
                    .addParameter(RuntimeNames.INPUTS, "sources").addParameter(int.class, "end")
                    .addParameter(int.class, "maxLength")
                    .addJavadoc("""
                            Greedy decoding of {@code $L}, for the examples in {@code sources} (every input but it):
                            each step runs the network on the tokens so far and takes the most likely one from
                            {@code $L}, until an example's {@code end} token or {@code maxLength} (at most $L) steps.
                            Each step runs the whole network again on the growing prefix (right, as the decoder is
                            causal; not the fastest). Predict with the result as {@code $L} for the attention weights.

                            @return the tokens, $L per example: each example's up to and including its end token,
                                then zeros
                            """, d.target(), d.logits(), d.steps(), d.target(), d.steps())
                    .addStatement("return $T.decode(this, sources, $S, $L, $S, end, maxLength)",
                            RuntimeNames.GREEDY_DECODING, d.target(), d.steps(), d.logits())
                    .build());
            type.addMethod(MethodSpec.methodBuilder("generate").addModifiers(PUBLIC).returns(int[].class)
                    .addParameter(RuntimeNames.INPUTS, "sources").addParameter(int.class, "end")
                    .addJavadoc("Greedy decoding of {@code $L} for its whole length: {@code generate(sources, end, $L)}.\n",
                            d.target(), d.steps())
                    .addStatement("return generate(sources, end, $L)", d.steps())
                    .build());
        });
    }

    /**
     * The int input that a {@code shift_right} reads and a cross-entropy takes as its labels, with
     * the output the cross-entropy scores; none when the network has no such pair.
     */
    private static Optional<Decoded> find(Graph forward) {
        for (Node shift : forward.nodes()) {
            if (!(shift.op() instanceof ShiftRight)) {
                continue;
            }
            int target = shift.inputs().get(0);
            if (!(forward.node(target).op() instanceof Input input)) {
                continue;
            }
            for (Node loss : forward.users(target)) {
                if (!(loss.op() instanceof CrossEntropy) || loss.inputs().get(1) != target) {
                    continue;
                }
                int logits = loss.inputs().get(0);
                for (Map.Entry<String, Integer> out : forward.outputs().entrySet()) {
                    if (out.getValue() == logits) {
                        return Optional.of(new Decoded(input.name(), forward.node(target).type().dim(1).bound(),
                                out.getKey()));
                    }
                }
            }
        }
        return Optional.empty();
    }
}
