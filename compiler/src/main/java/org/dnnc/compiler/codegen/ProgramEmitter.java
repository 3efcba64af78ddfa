package org.dnnc.compiler.codegen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.TypeName;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.Modifier;
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
 * Emits one program: a field per planned buffer (a view of the step arena at its planned offset;
 * in a large class, an element of the program's array of views, see {@link Storage}), and the
 * kernel calls of its nodes in schedule order, each preceded by the source line it comes from.
 * Values that only reinterpret bytes (flatten, reshape) use their operand's field.
 */
final class ProgramEmitter implements ProgramView {
    /** The most buffers a program may have for the comments on its views to name the buffers they reuse. */
    static final int NAMED_SHARING = 500;

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
    /** How many float views the array {@code prefix$} holds; 0 when every view has a named field. */
    private int floatViews;
    /** Value -> the parameter it is the gradient of, for the first gradient output that names it. */
    private final Map<Integer, String> gradientOutputs = new HashMap<>();

    ProgramEmitter(String prefix, Graph graph, MemoryPlan plan, Map<String, String> paramFields, String sourceName,
            Geometries geometries, KernelEmitter kernels, boolean indexed) {
        this.prefix = prefix;
        this.graph = graph;
        this.plan = plan;
        this.paramFields = paramFields;
        this.sourceName = sourceName;
        this.geometries = geometries;
        this.kernels = kernels;
        this.groups = CallGroups.of(graph);
        graph.nodes().forEach(n -> byId.put(n.id(), n));
        graph.outputs().forEach((name, id) -> {
            if (name.startsWith(Differentiator.GRADIENT_PREFIX)) {
                gradientOutputs.putIfAbsent(id, name.substring(Differentiator.GRADIENT_PREFIX.length()));
            }
        });
        for (Buffer b : plan.buffers()) {
            boolean element = indexed && !isInts(b);
            switch (b.role()) {
                case VALUE -> fields.put(b.value(), element ? Storage.element(prefix, floatViews++)
                        : prefix + b.value() + suffix(byId.get(b.value())));
                case SCRATCH -> scratchFields.put(b.value(), element ? Storage.element(prefix, floatViews++)
                        : prefix + "Scratch" + b.value());
                case SAVED -> savedFields.put(b.value(), element ? Storage.element(prefix, floatViews++)
                        : prefix + "Saved" + b.value());
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

    /** Whether {@code b} holds integers (class indexes, token ids), which get an {@code IntBuffer} view. */
    private boolean isInts(Buffer b) {
        return b.role() == Buffer.Role.VALUE && byId.get(b.value()).type().dtype() == DType.I32;
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
    public Graph graph() {
        return graph;
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

    /**
     * The labels a step judges when the cross-entropy whose accuracy it counts ignores a label: a
     * call that counts the others in its labels; {@code null} when every label counts.
     */
    CodeBlock judgedLabels() {
        return graph.nodes().stream().filter(n -> n.op() instanceof CrossEntropy).findFirst()
                .filter(n -> ((CrossEntropy) n.op()).ignore().isPresent())
                .map(n -> CodeBlock.of("$T.judged($L, $L, $L)", RuntimeNames.LOSSES, field(n.inputs().get(1)),
                        Sizes.rows(type(n.inputs().get(0))), ((CrossEntropy) n.op()).ignore().getAsInt()))
                .orElse(null);
    }

    List<FieldSpec> fieldSpecs() {
        return fieldSpecs(RuntimeNames.BUF, TypeName.get(IntBuffer.class));
    }

    /** The views' fields with the given types of float and int views (the CUDA target's are device views). */
    List<FieldSpec> fieldSpecs(TypeName floats, TypeName ints) {
        List<FieldSpec> specs = new ArrayList<>();
        if (floatViews > 0) {
            specs.add(Storage.array(prefix, floatViews));
        }
        for (Buffer b : plan.buffers()) {
            if (floatViews > 0 && !isInts(b)) {
                continue;
            }
            TypeName type = isInts(b) ? ints : floats;
            FieldSpec.Builder field = FieldSpec.builder(type, fieldOf(b), Modifier.PRIVATE);
            // A large class assigns its views in helper methods, where a final field cannot be assigned.
            if (floatViews == 0) {
                field.addModifiers(Modifier.FINAL);
            }
            specs.add(field.build());
        }
        return specs;
    }

    /**
     * Carves every buffer out of {@code arena} at its planned offset, one statement per buffer. In a
     * program of at most {@link #NAMED_SHARING} buffers, a comment on each that reuses the bytes of
     * earlier ones names them (their lifetimes in the program do not overlap); beyond that the
     * names would be more noise than help, and finding them costs time quadratic in the buffers.
     */
    List<CodeBlock> views(String arena) {
        List<CodeBlock> statements = new ArrayList<>();
        boolean nameSharing = plan.buffers().size() <= NAMED_SHARING;
        List<Buffer> carved = new ArrayList<>();
        for (Buffer b : plan.buffers()) {
            CodeBlock.Builder code = CodeBlock.builder();
            if (nameSharing) {
                List<String> shared = carved.stream()
                        .filter(o -> o.offset() < b.offset() + b.bytes() && b.offset() < o.offset() + o.bytes())
                        .map(this::fieldOf).toList();
                if (!shared.isEmpty()) {
                    code.add("// $L reuses bytes of $L\n", fieldOf(b), String.join(", ", shared));
                }
                carved.add(b);
            }
            if (b.role() != Buffer.Role.VALUE) {
                code.addStatement("$L = $L.floats($LL, $L)", fieldOf(b), arena, b.offset(), b.bytes() / 4);
            } else {
                Node n = byId.get(b.value());
                String method = n.type().dtype() == DType.I32 ? "ints" : "floats";
                code.addStatement("$L = $L.$L($LL, $L)", fieldOf(b), arena, method, b.offset(),
                        Sizes.maxCount(n.type(), plan.batch()));
            }
            statements.add(code.build());
        }
        return statements;
    }

    /** The kernel calls of every node, in schedule order: one block per call, each with its source line. */
    List<CodeBlock> body() throws CodegenException {
        List<CodeBlock> calls = new ArrayList<>();
        for (Node n : graph.nodes()) {
            // A view reinterprets its operand's bytes (the planner aliases it): there is nothing to run.
            if (n.op().viewOnly() || kernels.free().contains(n.op().getClass()) || groups.follows(n.id())) {
                continue;
            }
            CodeBlock.Builder code = CodeBlock.builder();
            if (!n.origin().span().isNone()) {
                code.add("// $L:$L $L\n", sourceName, n.origin().span().line(), n.origin().path());
            }
            code.add(kernels.emit(n, this));
            calls.add(code.build());
        }
        return calls;
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
        String gradientOf = gradientOutputs.get(n.id());
        if (gradientOf != null) {
            return "_d_" + JavaNames.identifier(gradientOf);
        }
        String path = n.origin().path();
        String name = JavaNames.identifier(path.isEmpty() ? n.op().mnemonic() : path);
        return n.op().mnemonic().contains("_grad") ? "_d_" + name : "_" + name;
    }
}
