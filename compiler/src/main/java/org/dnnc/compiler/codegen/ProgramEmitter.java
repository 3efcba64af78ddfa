package org.dnnc.compiler.codegen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.TypeName;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dnnc.compiler.autodiff.Differentiator;
import org.dnnc.compiler.ir.CrossEntropy;
import org.dnnc.compiler.ir.DType;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Input;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Param;
import org.dnnc.compiler.ir.TensorType;
import org.dnnc.compiler.memory.Buffer;
import org.dnnc.compiler.memory.CallGroups;
import org.dnnc.compiler.memory.MemoryPlan;

/**
 * Emits one program: a field per planned buffer (a view of the step arena at its planned offset),
 * and the kernel calls of its nodes in schedule order, each preceded by the source line it comes
 * from. Values that only reinterpret bytes (flatten, reshape) use their operand's field.
 */
final class ProgramEmitter implements ProgramView {
    private final String prefix;
    private final Graph graph;
    private final MemoryPlan plan;
    private final Map<String, String> paramFields;
    private final String sourceName;
    private final Geometries geometries;
    private final KernelEmitter kernels;
    private final CallGroups groups;
    private final Map<Integer, Node> byId = new HashMap<>();
    private final Map<Integer, String> fields = new HashMap<>();
    private final Map<Integer, String> scratchFields = new HashMap<>();
    private final Map<Integer, String> savedFields = new HashMap<>();

    ProgramEmitter(String prefix, Graph graph, MemoryPlan plan, Map<String, String> paramFields, String sourceName,
            Geometries geometries, KernelEmitter kernels) {
        this.prefix = prefix;
        this.graph = graph;
        this.plan = plan;
        this.paramFields = paramFields;
        this.sourceName = sourceName;
        this.geometries = geometries;
        this.kernels = kernels;
        this.groups = CallGroups.of(graph);
        graph.nodes().forEach(n -> byId.put(n.id(), n));
        for (Buffer b : plan.buffers()) {
            switch (b.role()) {
                case VALUE -> fields.put(b.value(), prefix + b.value() + suffix(byId.get(b.value())));
                case SCRATCH -> scratchFields.put(b.value(), prefix + "Scratch" + b.value());
                case SAVED -> savedFields.put(b.value(), prefix + "Saved" + b.value());
            }
        }
    }

    /** The field of a buffer of the plan. */
    private String fieldOf(Buffer b) {
        return switch (b.role()) {
            case VALUE -> fields.get(b.value());
            case SCRATCH -> scratchFields.get(b.value());
            case SAVED -> savedFields.get(b.value());
        };
    }

    @Override
    public String field(int id) {
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

    @Override
    public TensorType type(int id) {
        return byId.get(id).type();
    }

    @Override
    public Node node(int id) {
        return byId.get(id);
    }

    @Override
    public List<Node> users(int id) {
        return graph.users(id);
    }

    @Override
    public List<Node> callGroup(int id) {
        return groups.ledBy(id);
    }

    /** The field of the program's loss, which a step reports; {@code null} for inference. */
    String lossField() {
        Integer loss = graph.outputs().get(Differentiator.LOSS);
        return loss == null ? null : field(loss);
    }

    List<FieldSpec> fieldSpecs() {
        List<FieldSpec> specs = new ArrayList<>();
        for (Buffer b : plan.buffers()) {
            boolean ints = b.role() == Buffer.Role.VALUE && byId.get(b.value()).type().dtype() == DType.I32;
            TypeName type = ints ? TypeName.get(IntBuffer.class) : RuntimeNames.BUF;
            specs.add(FieldSpec.builder(type, fieldOf(b), javax.lang.model.element.Modifier.PRIVATE,
                    javax.lang.model.element.Modifier.FINAL).build());
        }
        return specs;
    }

    /**
     * Carves every buffer out of {@code arena} at its planned offset, with a comment on each that
     * reuses the bytes of an earlier one (their lifetimes in the program do not overlap).
     */
    CodeBlock views(String arena) {
        CodeBlock.Builder code = CodeBlock.builder();
        List<Buffer> carved = new ArrayList<>();
        for (Buffer b : plan.buffers()) {
            List<String> shared = carved.stream()
                    .filter(o -> o.offset() < b.offset() + b.bytes() && b.offset() < o.offset() + o.bytes())
                    .map(this::fieldOf).toList();
            if (!shared.isEmpty()) {
                code.add("// $L reuses bytes of $L\n", fieldOf(b), String.join(", ", shared));
            }
            carved.add(b);
            if (b.role() != Buffer.Role.VALUE) {
                code.addStatement("$L = $L.floats($LL, $L)", fieldOf(b), arena, b.offset(), b.bytes() / 4);
                continue;
            }
            Node n = byId.get(b.value());
            String method = n.type().dtype() == DType.I32 ? "ints" : "floats";
            code.addStatement("$L = $L.$L($LL, $L)", fieldOf(b), arena, method, b.offset(),
                    Sizes.maxCount(n.type(), plan.batch()));
        }
        return code.build();
    }

    /** The kernel calls of every node, in schedule order. */
    CodeBlock body() throws CodegenException {
        CodeBlock.Builder code = CodeBlock.builder();
        for (Node n : graph.nodes()) {
            // A view reinterprets its operand's bytes (the planner aliases it): there is nothing to run.
            if (n.op().viewOnly() || kernels.free().contains(n.op().getClass()) || groups.follows(n.id())) {
                continue;
            }
            if (!n.origin().span().isNone()) {
                code.add("// $L:$L $L\n", sourceName, n.origin().span().line(), n.origin().path());
            }
            code.add(kernels.emit(n, this));
        }
        return code.build();
    }

    @Override
    public boolean countsAccuracy(int id) {
        return graph.nodes().stream().filter(n -> n.op() instanceof CrossEntropy).findFirst()
                .map(n -> n.id() == id).orElse(false);
    }

    @Override
    public String scratchField(int id) {
        return scratchFields.getOrDefault(id, "null");
    }

    @Override
    public String savedField(int id) {
        return savedFields.getOrDefault(id, "null");
    }

    @Override
    public Geometries geometries() {
        return geometries;
    }

    static CodeBlock stmt(String format, Object... args) {
        return CodeBlock.builder().addStatement(format, args).build();
    }

    /**
     * A readable tail for a field name: {@code _logits_dense1} from the layer path, {@code
     * _d_logits_dense1_weight} for a parameter's gradient, and {@code _d_} before the layer of other
     * gradients.
     */
    private String suffix(Node n) {
        if (n.op() instanceof Input input) {
            return "_" + JavaNames.identifier(input.name());
        }
        for (var output : graph.outputs().entrySet()) {
            if (output.getValue() == n.id() && output.getKey().startsWith(Differentiator.GRADIENT_PREFIX)) {
                return "_d_" + JavaNames.identifier(output.getKey().substring(Differentiator.GRADIENT_PREFIX.length()));
            }
        }
        String path = n.origin().path();
        String name = JavaNames.identifier(path.isEmpty() ? n.op().mnemonic() : path);
        return n.op().mnemonic().contains("_grad") ? "_d_" + name : "_" + name;
    }
}
