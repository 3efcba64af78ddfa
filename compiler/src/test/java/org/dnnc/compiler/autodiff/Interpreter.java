package org.dnnc.compiler.autodiff;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.dnnc.compiler.ir.Activation;
import org.dnnc.compiler.ir.ActivationGrad;
import org.dnnc.compiler.ir.ActivationKind;
import org.dnnc.compiler.ir.BatchNorm;
import org.dnnc.compiler.ir.BatchNormFoldBias;
import org.dnnc.compiler.ir.BatchNormFoldWeight;
import org.dnnc.compiler.ir.BatchNormGradGamma;
import org.dnnc.compiler.ir.BatchNormGradInput;
import org.dnnc.compiler.ir.BatchNormInference;
import org.dnnc.compiler.ir.BatchNormReluGradBeta;
import org.dnnc.compiler.ir.BceWithLogits;
import org.dnnc.compiler.ir.BceWithLogitsGrad;
import org.dnnc.compiler.ir.BiasAdd;
import org.dnnc.compiler.ir.BiasGrad;
import org.dnnc.compiler.ir.Binary;
import org.dnnc.compiler.ir.Concat;
import org.dnnc.compiler.ir.Constant;
import org.dnnc.compiler.ir.Conv2d;
import org.dnnc.compiler.ir.Conv2dGradInput;
import org.dnnc.compiler.ir.Conv2dGradWeight;
import org.dnnc.compiler.ir.ConvBiasActivation;
import org.dnnc.compiler.ir.CrossEntropy;
import org.dnnc.compiler.ir.CrossEntropyGrad;
import org.dnnc.compiler.ir.Dense;
import org.dnnc.compiler.ir.Dim;
import org.dnnc.compiler.ir.Dropout;
import org.dnnc.compiler.ir.DropoutMask;
import org.dnnc.compiler.ir.Flatten;
import org.dnnc.compiler.ir.FusedElementwise;
import org.dnnc.compiler.ir.GlobalAvgPool;
import org.dnnc.compiler.ir.GlobalAvgPoolGrad;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Input;
import org.dnnc.compiler.ir.LayerNorm;
import org.dnnc.compiler.ir.LayerNormGradGamma;
import org.dnnc.compiler.ir.LayerNormGradInput;
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
import org.dnnc.compiler.ir.Pool2d;
import org.dnnc.compiler.ir.Pool2dGrad;
import org.dnnc.compiler.ir.Reshape;
import org.dnnc.compiler.ir.Scale;
import org.dnnc.compiler.ir.Slice;
import org.dnnc.compiler.ir.Softmax;
import org.dnnc.compiler.ir.SoftmaxGrad;
import org.dnnc.compiler.ir.TensorType;

/**
 * A slow, obviously written double-precision evaluator of the ops that dense networks and their
 * gradients use: the reference that differentiation is checked against (by finite differences
 * and PyTorch's golden values), independent of the runtime's kernels.
 */
public final class Interpreter {
    private final int batch;
    private final Map<String, double[]> values;
    private final long seed;

    /**
     * @param values input and parameter name -> values in C order (labels as whole numbers)
     * @param seed   seeds each dropout mask together with its node id, so reruns see the same masks
     */
    public Interpreter(int batch, Map<String, double[]> values, long seed) {
        this.batch = batch;
        this.values = values;
        this.seed = seed;
    }

    /** Every node's value. */
    public Map<Integer, double[]> run(Graph graph) {
        Map<Integer, double[]> out = new HashMap<>();
        for (Node n : graph.nodes()) {
            List<double[]> in = n.inputs().stream().map(out::get).toList();
            List<TensorType> types = n.inputs().stream().map(id -> graph.node(id).type()).toList();
            out.put(n.id(), eval(n, in, types));
        }
        return out;
    }

    private int size(TensorType t) {
        int s = 1;
        for (Dim d : t.dims()) {
            s *= d instanceof Dim.Batch ? batch : d.bound();
        }
        return s;
    }

    /** The index along {@code axis} of element {@code i} of a tensor of this shape (C order). */
    private static int channel(int[] shape, int axis, int i) {
        int resolved = axis < 0 ? axis + shape.length : axis;
        int inner = 1;
        for (int d = resolved + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        return (i / inner) % shape[resolved];
    }

    /** Every dimension, with the batch at its size. */
    int[] dims(TensorType t) {
        return t.dims().stream().mapToInt(d -> d instanceof Dim.Batch ? batch : d.bound()).toArray();
    }

    /** The elements of one index of the axes before {@code axis}: the product of the sizes from it on. */
    private static int inner(TensorType t, int axis) {
        int s = 1;
        for (int d = axis; d < t.rank(); d++) {
            s *= t.dim(d).bound();
        }
        return s;
    }

    /** The size of the last axis and the number of rows before it. */
    private int last(TensorType t) {
        return t.dim(-1).bound();
    }

    private double[] eval(Node n, List<double[]> in, List<TensorType> types) {
        Op op = n.op();
        int size = size(n.type());
        double[] y = new double[size];
        if (op instanceof Input i) {
            return check(values.get(i.name()), size, i.name());
        } else if (op instanceof Param p) {
            return check(values.get(p.name()), size, p.name());
        } else if (op instanceof Constant c) {
            java.util.Arrays.fill(y, c.value());
        } else if (op instanceof MatMul) {
            int k = last(types.get(0));
            int m = last(n.type());
            for (int r = 0; r < size / m; r++) {
                for (int j = 0; j < m; j++) {
                    double s = 0;
                    for (int q = 0; q < k; q++) {
                        s += in.get(0)[r * k + q] * in.get(1)[j * k + q];
                    }
                    y[r * m + j] = s;
                }
            }
        } else if (op instanceof Dense d) {
            int k = last(types.get(0));
            int m = last(n.type());
            for (int r = 0; r < size / m; r++) {
                for (int j = 0; j < m; j++) {
                    double s = in.get(2)[j];
                    for (int q = 0; q < k; q++) {
                        s += in.get(0)[r * k + q] * in.get(1)[j * k + q];
                    }
                    y[r * m + j] = activate(d.activation(), d.alpha(), s);
                }
            }
        } else if (op instanceof FusedElementwise f) {
            List<double[]> steps = new java.util.ArrayList<>();
            for (FusedElementwise.Step step : f.steps()) {
                List<double[]> args = step.args().stream().map(r -> r.step() ? steps.get(r.index()) : in.get(r.index())).toList();
                List<TensorType> argTypes = step.args().stream().map(r -> n.type()).toList();
                steps.add(eval(new Node(n.id(), step.op(), List.of(), n.type(), n.origin()), args, argTypes));
            }
            return steps.get(steps.size() - 1);
        } else if (op instanceof MatMulGradInput) {
            int m = last(types.get(0));
            int k = last(n.type());
            for (int r = 0; r < size / k; r++) {
                for (int q = 0; q < k; q++) {
                    double s = 0;
                    for (int j = 0; j < m; j++) {
                        s += in.get(0)[r * m + j] * in.get(1)[j * k + q];
                    }
                    y[r * k + q] = s;
                }
            }
        } else if (op instanceof MatMulGradWeight) {
            int m = last(types.get(0));
            int k = last(types.get(1));
            int rows = size(types.get(0)) / m;
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < m; j++) {
                    for (int q = 0; q < k; q++) {
                        y[j * k + q] += in.get(0)[r * m + j] * in.get(1)[r * k + q];
                    }
                }
            }
        } else if (op instanceof BiasAdd b) {
            int[] shape = dims(n.type());
            for (int i = 0; i < size; i++) {
                y[i] = in.get(0)[i] + in.get(1)[channel(shape, b.axis(), i)];
            }
        } else if (op instanceof BiasGrad b) {
            int[] shape = dims(types.get(0));
            for (int i = 0; i < in.get(0).length; i++) {
                y[channel(shape, b.axis(), i)] += in.get(0)[i];
            }
        } else if (op instanceof Activation a) {
            for (int i = 0; i < size; i++) {
                y[i] = activate(a.kind(), a.alpha(), in.get(0)[i]);
            }
        } else if (op instanceof ActivationGrad a) {
            for (int i = 0; i < size; i++) {
                y[i] = in.get(0)[i] * derivativeFromOutput(a.kind(), a.alpha(), in.get(1)[i]);
            }
        } else if (op instanceof Softmax || op instanceof LogSoftmax) {
            int c = last(n.type());
            for (int r = 0; r < size / c; r++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < c; j++) {
                    max = Math.max(max, in.get(0)[r * c + j]);
                }
                double sum = 0;
                for (int j = 0; j < c; j++) {
                    sum += Math.exp(in.get(0)[r * c + j] - max);
                }
                for (int j = 0; j < c; j++) {
                    double shifted = in.get(0)[r * c + j] - max;
                    y[r * c + j] = op instanceof Softmax ? Math.exp(shifted) / sum : shifted - Math.log(sum);
                }
            }
        } else if (op instanceof SoftmaxGrad || op instanceof LogSoftmaxGrad) {
            int c = last(n.type());
            double[] dy = in.get(0);
            double[] out = in.get(1);
            for (int r = 0; r < size / c; r++) {
                double dot = 0;
                for (int j = 0; j < c; j++) {
                    dot += op instanceof SoftmaxGrad ? dy[r * c + j] * out[r * c + j] : dy[r * c + j];
                }
                for (int j = 0; j < c; j++) {
                    int i = r * c + j;
                    y[i] = op instanceof SoftmaxGrad ? out[i] * (dy[i] - dot) : dy[i] - Math.exp(out[i]) * dot;
                }
            }
        } else if (op instanceof Binary b) {
            for (int i = 0; i < size; i++) {
                double l = in.get(0)[i];
                double r = in.get(1)[i];
                y[i] = switch (b.kind()) {
                    case ADD -> l + r;
                    case SUB -> l - r;
                    case MUL -> l * r;
                };
            }
        } else if (op instanceof Scale s) {
            for (int i = 0; i < size; i++) {
                y[i] = s.factor() * in.get(0)[i];
            }
        } else if (op instanceof Flatten || op instanceof Reshape) {
            return in.get(0).clone();
        } else if (op instanceof Dropout) {
            throw new IllegalStateException("dropout must be lowered before it runs");
        } else if (op instanceof DropoutMask d) {
            SplittableRandom random = new SplittableRandom(seed * 1_000_003L + n.id());
            for (int i = 0; i < size; i++) {
                y[i] = random.nextDouble() < d.rate() ? 0 : 1 / (1 - d.rate());
            }
        } else if (op instanceof Concat c) {
            // Rows are the indices before the axis; each operand fills its block of every row.
            int axis = c.axis() < 0 ? c.axis() + n.type().rank() : c.axis();
            int row = inner(n.type(), axis);
            int outer = size / row;
            int offset = 0;
            for (int k = 0; k < in.size(); k++) {
                int w = inner(types.get(k), axis);
                for (int r = 0; r < outer; r++) {
                    System.arraycopy(in.get(k), r * w, y, r * row + offset, w);
                }
                offset += w;
            }
        } else if (op instanceof Slice s) {
            int axis = s.axis() < 0 ? s.axis() + n.type().rank() : s.axis();
            int w = inner(types.get(0), axis);
            int part = inner(n.type(), axis);
            int after = part / s.length();
            for (int r = 0; r < size / part; r++) {
                System.arraycopy(in.get(0), r * w + s.start() * after, y, r * part, part);
            }
        } else if (op instanceof CrossEntropy || op instanceof CrossEntropyGrad) {
            double[] logits = in.get(0);
            double[] labels = in.get(1);
            int c = last(types.get(0));
            double loss = 0;
            for (int r = 0; r < batch; r++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < c; j++) {
                    max = Math.max(max, logits[r * c + j]);
                }
                double sum = 0;
                for (int j = 0; j < c; j++) {
                    sum += Math.exp(logits[r * c + j] - max);
                }
                int label = (int) labels[r];
                loss += Math.log(sum) + max - logits[r * c + label];
                if (op instanceof CrossEntropyGrad) {
                    for (int j = 0; j < c; j++) {
                        double p = Math.exp(logits[r * c + j] - max) / sum;
                        y[r * c + j] = (p - (j == label ? 1 : 0)) * in.get(2)[0] / batch;
                    }
                }
            }
            if (op instanceof CrossEntropy) {
                y[0] = loss / batch;
            }
        } else if (op instanceof MseLoss || op instanceof BceWithLogits) {
            double total = 0;
            int count = in.get(0).length;
            for (int i = 0; i < count; i++) {
                double x = in.get(0)[i];
                double t = in.get(1)[i];
                total += op instanceof MseLoss ? (x - t) * (x - t) : Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x)));
            }
            y[0] = total / count;
        } else if (op instanceof MseGrad || op instanceof BceWithLogitsGrad) {
            for (int i = 0; i < size; i++) {
                double x = in.get(0)[i];
                double t = in.get(1)[i];
                double d = op instanceof MseGrad ? 2 * (x - t) : 1 / (1 + Math.exp(-x)) - t;
                y[i] = d * in.get(2)[0] / size;
            }
        } else if (op instanceof ConvBiasActivation f) {
            double[] z = Convolutions.eval(f.conv(), in.subList(0, 2), types.subList(0, 2).stream().map(this::dims).toList(),
                    dims(n.type()));
            int[] shape = dims(n.type());
            for (int i = 0; i < z.length; i++) {
                y[i] = activate(f.activation(), f.alpha(), z[i] + in.get(2)[channel(shape, 1, i)]);
            }
        } else if (op instanceof BatchNormFoldWeight f) {
            int perChannel = size / in.get(1).length;
            for (int i = 0; i < size; i++) {
                int c = i / perChannel;
                y[i] = in.get(0)[i] * in.get(1)[c] / Math.sqrt(in.get(2)[c] + f.eps());
            }
        } else if (op instanceof BatchNormFoldBias f) {
            int k = f.withBias() ? 1 : 0;
            for (int c = 0; c < size; c++) {
                double b = f.withBias() ? in.get(0)[c] : 0;
                double scale = in.get(k)[c] / Math.sqrt(in.get(k + 3)[c] + f.eps());
                y[c] = in.get(k + 1)[c] + (b - in.get(k + 2)[c]) * scale;
            }
        } else if (op instanceof Conv2d || op instanceof Conv2dGradInput || op instanceof Conv2dGradWeight) {
            return Convolutions.eval(op, in, types.stream().map(this::dims).toList(), dims(n.type()));
        } else if (op instanceof Pool2d || op instanceof Pool2dGrad || op instanceof GlobalAvgPool
                || op instanceof GlobalAvgPoolGrad) {
            return Convolutions.pool(op, in, types.stream().map(this::dims).toList(), dims(n.type()));
        } else if (op instanceof BatchNormReluGradBeta) {
            int[] shape = dims(types.get(0));
            for (int i = 0; i < in.get(0).length; i++) {
                y[channel(shape, 1, i)] += in.get(1)[i] > 0 ? in.get(0)[i] : 0;
            }
        } else if (op instanceof BatchNorm || op instanceof BatchNormInference || op instanceof BatchNormGradInput
                || op instanceof BatchNormGradGamma || op instanceof LayerNorm || op instanceof LayerNormGradInput
                || op instanceof LayerNormGradGamma) {
            return Normalizations.eval(op, in, types.stream().map(this::dims).toList(), dims(n.type()));
        } else {
            throw new UnsupportedOperationException("the reference interpreter has no rule for " + op.mnemonic());
        }
        return y;
    }

    static double activate(ActivationKind kind, double alpha, double x) {
        return switch (kind) {
            case RELU -> Math.max(x, 0);
            case LEAKY_RELU -> x > 0 ? x : alpha * x;
            case ELU -> x > 0 ? x : alpha * (Math.exp(x) - 1);
            case SIGMOID -> 1 / (1 + Math.exp(-x));
            case TANH -> Math.tanh(x);
            case IDENTITY -> x;
        };
    }

    private static double derivativeFromOutput(ActivationKind kind, double alpha, double y) {
        return switch (kind) {
            case RELU -> y > 0 ? 1 : 0;
            case LEAKY_RELU -> y > 0 ? 1 : alpha;
            case ELU -> y > 0 ? 1 : y + alpha;
            case SIGMOID -> y * (1 - y);
            case TANH -> 1 - y * y;
            case IDENTITY -> 1;
        };
    }

    private static double[] check(double[] v, int size, String name) {
        if (v == null || v.length != size) {
            throw new IllegalArgumentException(name + ": expected " + size + " values, got "
                    + (v == null ? "none" : v.length));
        }
        return v;
    }
}
