package org.dnnc.compiler.codegen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.TypeName;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.dnnc.compiler.ir.Activation;
import org.dnnc.compiler.ir.ActivationGrad;
import org.dnnc.compiler.ir.BatchNormGradGamma;
import org.dnnc.compiler.ir.BatchNormGradInput;
import org.dnnc.compiler.ir.BatchNormReluGradBeta;
import org.dnnc.compiler.ir.BceWithLogits;
import org.dnnc.compiler.ir.BceWithLogitsGrad;
import org.dnnc.compiler.ir.BiasAdd;
import org.dnnc.compiler.ir.BiasGrad;
import org.dnnc.compiler.ir.Binary;
import org.dnnc.compiler.ir.Concat;
import org.dnnc.compiler.ir.Constant;
import org.dnnc.compiler.ir.CrossEntropy;
import org.dnnc.compiler.ir.CrossEntropyGrad;
import org.dnnc.compiler.ir.DType;
import org.dnnc.compiler.ir.Dense;
import org.dnnc.compiler.ir.DropoutMask;
import org.dnnc.compiler.ir.Flatten;
import org.dnnc.compiler.ir.FusedElementwise;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Input;
import org.dnnc.compiler.ir.LogSoftmax;
import org.dnnc.compiler.ir.LogSoftmaxGrad;
import org.dnnc.compiler.ir.MatMul;
import org.dnnc.compiler.ir.MatMulGradInput;
import org.dnnc.compiler.ir.MatMulGradWeight;
import org.dnnc.compiler.ir.MseGrad;
import org.dnnc.compiler.ir.MseLoss;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Op;
import org.dnnc.compiler.ir.Param;
import org.dnnc.compiler.ir.Reshape;
import org.dnnc.compiler.ir.Scale;
import org.dnnc.compiler.ir.Slice;
import org.dnnc.compiler.ir.Softmax;
import org.dnnc.compiler.ir.SoftmaxGrad;
import org.dnnc.compiler.ir.TensorType;
import org.dnnc.compiler.memory.Buffer;
import org.dnnc.compiler.memory.CallGroups;
import org.dnnc.compiler.memory.MemoryPlan;

/**
 * Emits one program: a field per planned buffer (a view of the step arena at its planned offset),
 * and the kernel calls of its nodes in schedule order, each preceded by the source line it comes
 * from. Values that only reinterpret bytes (flatten, reshape) use their operand's field.
 */
final class ProgramEmitter {
    private final String prefix;
    private final Graph graph;
    private final MemoryPlan plan;
    private final Map<String, String> paramFields;
    private final String sourceName;
    private final Geometries geometries;
    private final CallGroups groups;
    private final Map<Integer, Node> byId = new HashMap<>();
    private final Map<Integer, String> fields = new HashMap<>();

    /** The field of the loss, which the step reports; found while emitting. */
    String lossField;

    ProgramEmitter(String prefix, Graph graph, MemoryPlan plan, Map<String, String> paramFields, String sourceName,
            Geometries geometries) {
        this.prefix = prefix;
        this.graph = graph;
        this.plan = plan;
        this.paramFields = paramFields;
        this.sourceName = sourceName;
        this.geometries = geometries;
        this.groups = CallGroups.of(graph);
        graph.nodes().forEach(n -> byId.put(n.id(), n));
        for (Buffer b : plan.buffers()) {
            if (isScratch(b)) {
                fields.put(b.value(), prefix + "Scratch" + scratchNode(b));
            } else {
                fields.put(b.value(), prefix + b.value() + suffix(byId.get(b.value())));
            }
        }
    }

    /** Scratch buffers have negative ids (see {@code Liveness}): {@code -id - 1} for node {@code id}. */
    private static boolean isScratch(Buffer b) {
        return b.value() < 0;
    }

    private static int scratchNode(Buffer b) {
        return -b.value() - 1;
    }

    /** The scratch view planned for node {@code id}, or {@code null} when it needs none. */
    private String scratch(int id) {
        return fields.getOrDefault(-id - 1, "null");
    }

    /** The Java field holding node {@code id}'s value. */
    String field(int id) {
        Node n = byId.get(id);
        if (n.op() instanceof Param p) {
            return paramFields.get(p.name());
        }
        return fields.get(plan.aliases().getOrDefault(id, id));
    }

    String inputField(String name) {
        return graph.nodes().stream().filter(n -> n.op() instanceof Input i && i.name().equals(name))
                .map(n -> field(n.id())).findFirst().orElse(null);
    }

    TensorType type(int id) {
        return byId.get(id).type();
    }

    List<FieldSpec> fieldSpecs() {
        List<FieldSpec> specs = new ArrayList<>();
        for (Buffer b : plan.buffers()) {
            Node n = byId.get(b.value());
            TypeName type = n != null && n.type().dtype() == DType.I32 ? TypeName.get(IntBuffer.class) : RuntimeNames.BUF;
            specs.add(FieldSpec.builder(type, fields.get(b.value()), javax.lang.model.element.Modifier.PRIVATE,
                    javax.lang.model.element.Modifier.FINAL).build());
        }
        return specs;
    }

    /** Carves every buffer out of {@code arena} at its planned offset. */
    CodeBlock views(String arena) {
        CodeBlock.Builder code = CodeBlock.builder();
        for (Buffer b : plan.buffers()) {
            Node n = byId.get(b.value());
            if (isScratch(b)) {
                code.addStatement("$L = $L.floats($LL, $L)", fields.get(b.value()), arena, b.offset(), b.bytes() / 4);
                continue;
            }
            String method = n.type().dtype() == DType.I32 ? "ints" : "floats";
            code.addStatement("$L = $L.$L($LL, $L)", fields.get(b.value()), arena, method, b.offset(),
                    Sizes.maxCount(n.type(), plan.batch()));
        }
        return code.build();
    }

    /** The kernel calls of every node, in schedule order. */
    CodeBlock body() throws CodegenException {
        CodeBlock.Builder code = CodeBlock.builder();
        for (Node n : graph.nodes()) {
            if (n.op() instanceof Input || n.op() instanceof Param || n.op() instanceof Flatten
                    || n.op() instanceof Reshape || groups.follows(n.id())) {
                continue;
            }
            if (!n.origin().span().isNone()) {
                code.add("// $L:$L $L\n", sourceName, n.origin().span().line(), n.origin().path());
            }
            code.add(emit(n));
        }
        return code.build();
    }

    private CodeBlock emit(Node n) throws CodegenException {
        Op op = n.op();
        List<Integer> in = n.inputs();
        String y = field(n.id());
        TensorType t = n.type();
        List<Node> group = groups.ledBy(n.id());
        if (!group.isEmpty()) {
            return batchNormBackward(group);
        }
        if (op instanceof BatchNormGradInput || op instanceof BatchNormGradGamma || op instanceof BatchNormReluGradBeta) {
            return batchNormBackward(List.of(n));
        }
        CodeBlock conv = Convolutions.emit(this, n);
        if (conv != null) {
            return conv;
        }
        CodeBlock norm = Normalizations.emit(this, n);
        if (norm != null) {
            return norm;
        }
        if (op instanceof Dense d) {
            TensorType x = type(in.get(0));
            return stmt("$T.forward($L, $L, $L, $L, $L, $L, $L, $T.$L, $Lf)", RuntimeNames.DENSE, field(in.get(0)),
                    field(in.get(1)), field(in.get(2)), y, Sizes.rows(x), Sizes.last(x), Sizes.last(t),
                    RuntimeNames.ACTIVATION, d.activation(), (float) d.alpha());
        }
        if (op instanceof MatMul) {
            TensorType x = type(in.get(0));
            return stmt("$T.forward($L, $L, null, $L, $L, $L, $L, $T.IDENTITY, 0f)", RuntimeNames.DENSE,
                    field(in.get(0)), field(in.get(1)), y, Sizes.rows(x), Sizes.last(x), Sizes.last(t),
                    RuntimeNames.ACTIVATION);
        }
        if (op instanceof BiasAdd b) {
            if ((b.axis() == 1 || b.axis() == 1 - t.rank()) && t.rank() > 2) {
                return stmt("$T.addChannelBias($L, $L, $L, n, $L, $L)", RuntimeNames.ELEMENTWISE, field(in.get(0)),
                        field(in.get(1)), y, t.dim(1).bound(), Sizes.spatial(t));
            }
            if (b.axis() != -1 && b.axis() != t.rank() - 1) {
                throw unsupported(n, "a bias along an axis other than the last");
            }
            return CodeBlock.builder()
                    .addStatement("$T.copy($L, $L, $L)", RuntimeNames.ELEMENTWISE, field(in.get(0)), y, Sizes.count(t))
                    .addStatement("$T.biasForward($T.IDENTITY, 0f, $L, $L, $L, $L)", RuntimeNames.ACTIVATIONS,
                            RuntimeNames.ACTIVATION, y, field(in.get(1)), Sizes.rows(t), Sizes.last(t))
                    .build();
        }
        if (op instanceof Activation a) {
            return stmt("$T.forward($T.$L, $Lf, $L, $L, $L)", RuntimeNames.ACTIVATIONS, RuntimeNames.ACTIVATION,
                    a.kind(), (float) a.alpha(), field(in.get(0)), y, Sizes.count(t));
        }
        if (op instanceof ActivationGrad a) {
            return stmt("$T.backward($T.$L, $Lf, $L, $L, $L, $L)", RuntimeNames.ACTIVATIONS, RuntimeNames.ACTIVATION,
                    a.kind(), (float) a.alpha(), field(in.get(1)), field(in.get(0)), y, Sizes.count(t));
        }
        if (op instanceof Softmax || op instanceof LogSoftmax) {
            requireLastAxis(n, op instanceof Softmax s ? s.axis() : ((LogSoftmax) op).axis());
            return stmt("$T.$L($L, $L, $L, $L)", RuntimeNames.SOFTMAX, op instanceof Softmax ? "forward" : "logForward",
                    field(in.get(0)), y, Sizes.rows(t), Sizes.last(t));
        }
        if (op instanceof SoftmaxGrad || op instanceof LogSoftmaxGrad) {
            requireLastAxis(n, op instanceof SoftmaxGrad s ? s.axis() : ((LogSoftmaxGrad) op).axis());
            return stmt("$T.$L($L, $L, $L, $L, $L)", RuntimeNames.SOFTMAX,
                    op instanceof SoftmaxGrad ? "backward" : "logBackward", field(in.get(1)), field(in.get(0)), y,
                    Sizes.rows(t), Sizes.last(t));
        }
        if (op instanceof DropoutMask d) {
            return stmt("$T.mask($L, $L, $Lf, rng)", RuntimeNames.DROPOUT, y, Sizes.count(t), (float) d.rate());
        }
        if (op instanceof Binary b) {
            String kernel = b.kind().name().toLowerCase(Locale.ROOT);
            return stmt("$T.$L($L, $L, $L, $L)", RuntimeNames.ELEMENTWISE, kernel, field(in.get(0)), field(in.get(1)), y,
                    Sizes.count(t));
        }
        if (op instanceof Scale s) {
            return CodeBlock.builder()
                    .addStatement("$T.copy($L, $L, $L)", RuntimeNames.ELEMENTWISE, field(in.get(0)), y, Sizes.count(t))
                    .addStatement("$T.scale($L, $L, $Lf)", RuntimeNames.ELEMENTWISE, y, Sizes.count(t), (float) s.factor())
                    .build();
        }
        if (op instanceof Constant c) {
            return stmt("$T.fill($L, $L, $Lf)", RuntimeNames.ELEMENTWISE, y, Sizes.count(t), (float) c.value());
        }
        if (op instanceof FusedElementwise f) {
            return ElementwiseLoop.emit(f, in.stream().map(this::field).toList(), y, Sizes.count(t));
        }
        if (op instanceof Concat c) {
            // Each operand is a block of rows; the blocks sit side by side in the result's rows.
            int axis = c.axis() < 0 ? c.axis() + t.rank() : c.axis();
            if (axis == 0) {
                throw unsupported(n, "`concat` along the batch axis");
            }
            CodeBlock.Builder code = CodeBlock.builder();
            int offset = 0;
            for (int operand : in) {
                int width = Sizes.inner(type(operand), axis);
                code.addStatement("$T.place($L, $L, $L, $L, $L, $L)", RuntimeNames.CONCAT, field(operand), width, y,
                        Sizes.inner(t, axis), offset, Sizes.outer(t, axis));
                offset += width;
            }
            return code.build();
        }
        if (op instanceof Slice s) {
            TensorType x = type(in.get(0));
            int axis = s.axis() < 0 ? s.axis() + t.rank() : s.axis();
            if (axis == 0) {
                throw unsupported(n, "`slice` along the batch axis");
            }
            int after = Sizes.inner(t, axis) / s.length();
            return stmt("$T.extract($L, $L, $L, $L, $L, $L)", RuntimeNames.CONCAT, field(in.get(0)), Sizes.inner(x, axis),
                    s.start() * after, y, Sizes.inner(t, axis), Sizes.outer(t, axis));
        }
        if (op instanceof CrossEntropy) {
            TensorType logits = type(in.get(0));
            lossField = y;
            int classes = Sizes.last(logits);
            return CodeBlock.builder()
                    .addStatement("$L.set(0, $T.softmaxCrossEntropy($L, $L, null, n, $L))", y, RuntimeNames.LOSSES,
                            field(in.get(0)), field(in.get(1)), classes)
                    .addStatement("correct = $T.countCorrect($L, $L, n, $L)", RuntimeNames.LOSSES, field(in.get(0)),
                            field(in.get(1)), classes)
                    .build();
        }
        if (op instanceof CrossEntropyGrad) {
            return scaled(n, CodeBlock.of("$T.softmaxCrossEntropy($L, $L, $L, n, $L)", RuntimeNames.LOSSES,
                    field(in.get(0)), field(in.get(1)), y, Sizes.last(t)));
        }
        if (op instanceof MseLoss || op instanceof BceWithLogits) {
            lossField = y;
            return stmt("$L.set(0, $T.$L($L, $L, null, null, $L))", y, RuntimeNames.LOSSES,
                    op instanceof MseLoss ? "mse" : "bceWithLogits", field(in.get(0)), field(in.get(1)),
                    Sizes.count(type(in.get(0))));
        }
        if (op instanceof MseGrad || op instanceof BceWithLogitsGrad) {
            return scaled(n, CodeBlock.of("$T.$L($L, $L, $L, null, $L)", RuntimeNames.LOSSES,
                    op instanceof MseGrad ? "mse" : "bceWithLogits", field(in.get(0)), field(in.get(1)), y,
                    Sizes.count(t)));
        }
        if (op instanceof MatMulGradInput) {
            TensorType dy = type(in.get(0));
            return stmt("$T.backwardInput($L, $L, $L, $L, $L, $L, false)", RuntimeNames.DENSE, field(in.get(0)),
                    field(in.get(1)), y, Sizes.rows(dy), Sizes.last(t), Sizes.last(dy));
        }
        if (op instanceof MatMulGradWeight) {
            TensorType dy = type(in.get(0));
            TensorType x = type(in.get(1));
            return stmt("$T.backwardWeights($L, $L, $L, $L, $L, $L, false)", RuntimeNames.DENSE, field(in.get(0)),
                    field(in.get(1)), y, Sizes.rows(dy), Sizes.last(x), Sizes.last(dy));
        }
        if (op instanceof BiasGrad b && (b.axis() == 1 || b.axis() == 1 - type(in.get(0)).rank())
                && type(in.get(0)).rank() > 2) {
            TensorType dy = type(in.get(0));
            return stmt("$T.backwardBias($L, $L, n, $L, $L, false)", RuntimeNames.CONV2D, field(in.get(0)), y,
                    dy.dim(1).bound(), Sizes.spatial(dy));
        }
        if (op instanceof BiasGrad b) {
            TensorType dy = type(in.get(0));
            requireLastAxis(n, b.axis(), dy);
            return stmt("$T.backwardBias($L, $L, $L, $L, false)", RuntimeNames.DENSE, field(in.get(0)), y,
                    Sizes.rows(dy), Sizes.last(dy));
        }
        throw unsupported(n, "`" + op.mnemonic() + "`");
    }

    /**
     * The gradients of one batch normalization, with respect to its input, gamma and beta, in one
     * call (see {@link CallGroups}), or those of them a program needs; the statistics are
     * recomputed from x.
     */
    private CodeBlock batchNormBackward(List<Node> members) throws CodegenException {
        String dx = "null";
        String dgamma = "null";
        String dbeta = "null";
        String gamma = "null";
        String x = null;
        String y = "null";
        boolean relu = false;
        double eps = 0;
        Node first = members.get(0);
        for (Node m : members) {
            if (m.op() instanceof BatchNormGradInput g) {
                dx = field(m.id());
                x = field(m.inputs().get(1));
                gamma = field(m.inputs().get(2));
                relu = g.relu();
                eps = g.eps();
                y = relu ? field(m.inputs().get(3)) : y;
            } else if (m.op() instanceof BatchNormGradGamma g) {
                dgamma = field(m.id());
                x = field(m.inputs().get(1));
                relu = g.relu();
                eps = g.eps();
                y = relu ? field(m.inputs().get(2)) : y;
            } else {
                dbeta = field(m.id());
            }
        }
        if (x == null) {
            throw unsupported(first, "a batchnorm beta gradient alone");
        }
        TensorType dy = type(first.inputs().get(0));
        return stmt("$T.backward($L, $L, $L, $L, null, null, $L, $L, $L, n, $L, $L, $Lf, $L, false, false)",
                RuntimeNames.BATCH_NORM, x, y, field(first.inputs().get(0)), gamma, dx, dgamma, dbeta, dy.dim(1).bound(),
                Sizes.spatial(dy), (float) eps, relu);
    }

    /** The scratch view of node {@code id}'s call, or {@code null}. */
    String scratchField(int id) {
        return scratch(id);
    }

    Geometries geometries() {
        return geometries;
    }

    /**
     * A loss gradient: the kernel assumes an upstream gradient of 1, which the seed of the loss is;
     * any other upstream scalar (a weighted loss) scales the result.
     */
    private CodeBlock scaled(Node n, CodeBlock kernelCall) {
        int upstream = n.inputs().get(n.inputs().size() - 1);
        CodeBlock.Builder code = CodeBlock.builder().addStatement("$L", kernelCall);
        if (!(byId.get(upstream).op() instanceof Constant c && c.value() == 1)) {
            code.addStatement("$T.scale($L, $L, $L.get(0))", RuntimeNames.ELEMENTWISE, field(n.id()),
                    Sizes.count(n.type()), field(upstream));
        }
        return code.build();
    }

    private void requireLastAxis(Node n, int axis) throws CodegenException {
        requireLastAxis(n, axis, n.type());
    }

    private void requireLastAxis(Node n, int axis, TensorType t) throws CodegenException {
        if (axis != -1 && axis != t.rank() - 1) {
            throw unsupported(n, "`" + n.op().mnemonic() + "` along an axis other than the last");
        }
    }

    static CodeBlock stmt(String format, Object... args) {
        return CodeBlock.builder().addStatement(format, args).build();
    }

    private static CodegenException unsupported(Node n, String what) {
        return new CodegenException("code generation for " + what + " is not supported yet", n.origin());
    }

    /** A readable tail for a field name: {@code _logits_dense1} from the layer path. */
    private static String suffix(Node n) {
        if (n.op() instanceof Input input) {
            return "_" + JavaNames.identifier(input.name());
        }
        String path = n.origin().path();
        return path.isEmpty() ? "_" + JavaNames.identifier(n.op().mnemonic()) : "_" + JavaNames.identifier(path);
    }
}
