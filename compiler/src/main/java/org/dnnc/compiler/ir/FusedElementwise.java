package org.dnnc.compiler.ir;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A chain of element-wise ops computed in one pass over memory: each step applies an
 * {@linkplain Op#elementwise() element-wise} op (activation, activation gradient, add, sub, mul,
 * scale) to the fused node's operands ({@code in0}, {@code in1}, ...) and earlier steps ({@code t0},
 * ...); the last step is the result. Every operand and step has the same shape, except the
 * operands listed in {@code channels}: vectors {@code [C]} over axis 1 of the result {@code [N, C,
 * ...]} (a convolution's bias), each element reading the value of its channel.
 *
 * @param steps    the chain, in order
 * @param channels the indices of the per-channel operands, ascending; empty for most chains
 */
public record FusedElementwise(List<Step> steps, List<Integer> channels) implements Op {

    /** One op of the chain; {@code args} name operands and earlier steps. */
    public record Step(Op op, List<Ref> args) {
        public Step {
            Objects.requireNonNull(op, "op");
            args = List.copyOf(args);
        }

        @Override
        public String toString() {
            return op.mnemonic() + AttrsText.of(op) + "(" + args.stream().map(Ref::toString).collect(Collectors.joining(", ")) + ")";
        }
    }

    /** An operand of the fused node ({@code in}) or the result of an earlier step. */
    public record Ref(boolean step, int index) {
        public static Ref input(int index) {
            return new Ref(false, index);
        }

        public static Ref step(int index) {
            return new Ref(true, index);
        }

        @Override
        public String toString() {
            return (step ? "t" : "in") + index;
        }
    }

    public FusedElementwise {
        steps = List.copyOf(steps);
        channels = channels.stream().distinct().sorted().toList();
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("a fused chain needs at least one step");
        }
    }

    /** A chain whose operands all have the result's shape. */
    public FusedElementwise(List<Step> steps) {
        this(steps, List.of());
    }

    /** Whether operand {@code k} is a per-channel vector. */
    public boolean perChannel(int k) {
        return channels.contains(k);
    }

    @Override
    public Differentiability differentiability() {
        return Differentiability.BUILT_AFTER_AUTODIFF;
    }

    /** Its steps are element-wise: each element is read before it is written. */
    @Override
    public boolean inPlaceCapable() {
        return true;
    }

    @Override
    public String mnemonic() {
        return "fused";
    }

    /** One operand per distinct {@code in} the steps name: in0 to the highest. */
    @Override
    public int arity() {
        return steps.stream().flatMap(s -> s.args().stream()).filter(r -> !r.step())
                .mapToInt(r -> r.index() + 1).max().orElse(0);
    }

    @Override
    public Map<String, Object> attrs() {
        var body = new ArrayList<String>();
        for (int i = 0; i < steps.size(); i++) {
            body.add("t" + i + " = " + steps.get(i));
        }
        if (channels.isEmpty()) {
            return Attrs.of("body", String.join("; ", body));
        }
        return Attrs.of("body", String.join("; ", body), "channels",
                channels.stream().map(k -> "in" + k).collect(Collectors.joining(", ")));
    }

    @Override
    public TensorType inferType(List<TensorType> operands) throws IrTypeException {
        Checks.arity(this, operands);
        List<TensorType> full = broadcast(operands);
        List<TensorType> results = new ArrayList<>();
        for (Step s : steps) {
            if (!s.op().elementwise()) {
                throw Checks.fail(this, s.op().mnemonic() + " is not element-wise");
            }
            List<TensorType> args = new ArrayList<>();
            for (Ref r : s.args()) {
                List<TensorType> source = r.step() ? results : full;
                if (r.index() < 0 || r.index() >= source.size()) {
                    throw Checks.fail(this, "step refers to " + r + ", which does not exist yet");
                }
                args.add(source.get(r.index()));
            }
            results.add(s.op().inferType(args));
        }
        TensorType result = results.get(results.size() - 1);
        for (TensorType t : full) {
            Checks.sameType(this, result, t);
        }
        return result;
    }

    /**
     * The operands as the steps see them: a per-channel vector as the other operands' type, after
     * checking that it has one value per channel of it.
     */
    private List<TensorType> broadcast(List<TensorType> operands) throws IrTypeException {
        if (channels.isEmpty()) {
            return operands;
        }
        TensorType shaped = null;
        for (int k = 0; k < operands.size() && shaped == null; k++) {
            shaped = perChannel(k) ? null : operands.get(k);
        }
        if (shaped == null || shaped.rank() < 2) {
            throw Checks.fail(this, "per-channel operands need an operand [N, C, ...] whose channels they follow");
        }
        List<TensorType> full = new ArrayList<>(operands);
        for (int k : channels) {
            if (k >= operands.size()) {
                throw Checks.fail(this, "per-channel operand in" + k + " does not exist");
            }
            TensorType v = operands.get(k);
            if (v.rank() != 1 || v.dim(0).bound() != shaped.dim(1).bound()) {
                throw Checks.fail(this, "per-channel operand in" + k + " must be [" + shaped.dim(1).bound() + "], got " + v);
            }
            full.set(k, shaped);
        }
        return full;
    }
}
