package org.dnnc.compiler.autodiff;

import java.util.List;
import org.dnnc.compiler.ir.CellKind;
import org.dnnc.compiler.ir.Recurrent;
import org.dnnc.compiler.ir.RecurrentGrad;

/**
 * The reference interpreter's recurrent layers in double precision: the forward pass step by step
 * with every matrix product written out, and back-propagation through time from the states it
 * kept. Written from the cell equations (PyTorch's), independently of the runtime's kernels.
 */
final class Recurrences {
    private Recurrences() {}

    /**
     * The layer's result from {@code (x, w_ih, w_hh, b_ih, b_hh)} and, when it has them, the lengths;
     * {@code x} is {@code [n, steps, inputs]}.
     */
    static double[] forward(Recurrent r, List<double[]> in, int[] x) {
        Pass p = run(r, in, x[0], x[1], x[2]);
        int n = x[0];
        int steps = x[1];
        int h = r.hidden();
        double[] y = new double[r.returnSequences() ? n * steps * h : n * h];
        for (int b = 0; b < n; b++) {
            int length = length(r, in, b, steps);
            for (int j = 0; j < h; j++) {
                if (!r.returnSequences()) {
                    y[b * h + j] = p.h[steps][b * h + j];
                    continue;
                }
                for (int s = 0; s < length; s++) {
                    y[(b * steps + time(r, s, length)) * h + j] = p.h[s + 1][b * h + j];
                }
            }
        }
        return y;
    }

    /** Example {@code b}'s length: its lengths operand, or every step. */
    private static int length(Recurrent r, List<double[]> layerOperands, int b, int steps) {
        return r.lengths() ? (int) layerOperands.get(Recurrent.LENGTHS)[b] : steps;
    }

    /** The time position of step {@code s} of a sequence of this length. */
    private static int time(Recurrent r, int s, int length) {
        return r.reverse() ? length - 1 - s : s;
    }

    /** The gradient of one operand from {@code (dy, y, x, w_ih, w_hh, b_ih, b_hh)} and any lengths. */
    static double[] gradient(RecurrentGrad op, List<double[]> in, int[] x) {
        Recurrent r = op.forward();
        List<double[]> layer = in.subList(RecurrentGrad.LAYER_OPERANDS, in.size());
        int n = x[0];
        int steps = x[1];
        int inputs = x[2];
        int h = r.hidden();
        int gh = r.cell().gates() * h;
        Pass p = run(r, layer, n, steps, inputs);
        double[] dy = in.get(0);
        double[] xs = layer.get(0);
        double[] wih = layer.get(1);
        double[] whh = layer.get(2);
        double[][] grads = {new double[xs.length], new double[wih.length], new double[whh.length], new double[gh],
                new double[gh]};
        double[] dh = new double[n * h];
        double[] dc = new double[n * h];
        if (!r.returnSequences()) {
            System.arraycopy(dy, 0, dh, 0, n * h);
        }
        for (int s = steps - 1; s >= 0; s--) {
            double[] dhPrev = new double[n * h];
            double[] dcPrev = new double[n * h];
            for (int b = 0; b < n; b++) {
                int length = length(r, layer, b, steps);
                if (s >= length) {
                    // Past its length the state stood still: its gradient passes through.
                    for (int j = 0; j < h; j++) {
                        dhPrev[b * h + j] = dh[b * h + j];
                        dcPrev[b * h + j] = dc[b * h + j];
                    }
                    continue;
                }
                int time = time(r, s, length);
                double[] dx = new double[gh];
                double[] dhid = new double[gh];
                for (int j = 0; j < h; j++) {
                    int k = b * h + j;
                    double g = dh[k] + (r.returnSequences() ? dy[(b * steps + time) * h + j] : 0);
                    double[] a = p.gates[s];
                    int at = b * gh;
                    switch (r.cell()) {
                        case RNN_TANH -> {
                            double hNew = p.h[s + 1][k];
                            dx[j] = g * (1 - hNew * hNew);
                            dhid[j] = dx[j];
                        }
                        case RNN_RELU -> {
                            dx[j] = p.h[s + 1][k] > 0 ? g : 0;
                            dhid[j] = dx[j];
                        }
                        case LSTM -> {
                            double i = a[at + j];
                            double f = a[at + h + j];
                            double cand = a[at + 2 * h + j];
                            double o = a[at + 3 * h + j];
                            double tc = Math.tanh(p.c[s + 1][k]);
                            double dcTotal = dc[k] + g * o * (1 - tc * tc);
                            dx[j] = dcTotal * cand * i * (1 - i);
                            dx[h + j] = dcTotal * p.c[s][k] * f * (1 - f);
                            dx[2 * h + j] = dcTotal * i * (1 - cand * cand);
                            dx[3 * h + j] = g * tc * o * (1 - o);
                            dcPrev[k] = dcTotal * f;
                            for (int q = 0; q < 4; q++) {
                                dhid[q * h + j] = dx[q * h + j];
                            }
                        }
                        case GRU -> {
                            double reset = a[at + j];
                            double z = a[at + h + j];
                            double cand = a[at + 2 * h + j];
                            double dnPre = g * (1 - z) * (1 - cand * cand);
                            dx[j] = dnPre * p.hn[s][k] * reset * (1 - reset);
                            dx[h + j] = g * (p.h[s][k] - cand) * z * (1 - z);
                            dx[2 * h + j] = dnPre;
                            dhid[j] = dx[j];
                            dhid[h + j] = dx[h + j];
                            dhid[2 * h + j] = dnPre * reset;
                            dhPrev[k] += g * z;
                        }
                    }
                }
                for (int row = 0; row < gh; row++) {
                    grads[3][row] += dx[row];
                    grads[4][row] += dhid[row];
                    for (int i = 0; i < inputs; i++) {
                        int xi = (b * steps + time) * inputs + i;
                        grads[1][row * inputs + i] += dx[row] * xs[xi];
                        grads[0][xi] += dx[row] * wih[row * inputs + i];
                    }
                    for (int j = 0; j < h; j++) {
                        grads[2][row * h + j] += dhid[row] * p.h[s][b * h + j];
                        dhPrev[b * h + j] += dhid[row] * whh[row * h + j];
                    }
                }
            }
            dh = dhPrev;
            dc = dcPrev;
        }
        return op.wrt() == RecurrentGrad.Wrt.INITIAL_STATE ? dh : grads[op.wrt().ordinal()];
    }

    /** What the forward pass keeps per step: states (slot s before step s), cell states, gates, GRU's W_hn h + b_hn. */
    private record Pass(double[][] h, double[][] c, double[][] gates, double[][] hn) {}

    private static Pass run(Recurrent r, List<double[]> in, int n, int steps, int inputs) {
        double[] x = in.get(0);
        double[] wih = in.get(1);
        double[] whh = in.get(2);
        double[] bih = in.get(3);
        double[] bhh = in.get(4);
        int h = r.hidden();
        int gh = r.cell().gates() * h;
        Pass p = new Pass(new double[steps + 1][n * h], new double[steps + 1][n * h], new double[steps][n * gh],
                new double[steps][n * h]);
        if (r.initialState()) {
            System.arraycopy(in.get(r.initialStateOperand()), 0, p.h[0], 0, n * h);
        }
        for (int s = 0; s < steps; s++) {
            for (int b = 0; b < n; b++) {
                int length = length(r, in, b, steps);
                if (s >= length) {
                    for (int j = 0; j < h; j++) {
                        p.h[s + 1][b * h + j] = p.h[s][b * h + j];
                        p.c[s + 1][b * h + j] = p.c[s][b * h + j];
                    }
                    continue;
                }
                int time = time(r, s, length);
                double[] fromX = new double[gh];
                double[] fromH = new double[gh];
                for (int row = 0; row < gh; row++) {
                    fromX[row] = bih[row];
                    fromH[row] = bhh[row];
                    for (int i = 0; i < inputs; i++) {
                        fromX[row] += wih[row * inputs + i] * x[(b * steps + time) * inputs + i];
                    }
                    for (int j = 0; j < h; j++) {
                        fromH[row] += whh[row * h + j] * p.h[s][b * h + j];
                    }
                }
                for (int j = 0; j < h; j++) {
                    int k = b * h + j;
                    int at = b * gh;
                    if (r.cell() == CellKind.RNN_TANH || r.cell() == CellKind.RNN_RELU) {
                        double v = fromX[j] + fromH[j];
                        p.h[s + 1][k] = r.cell() == CellKind.RNN_TANH ? Math.tanh(v) : Math.max(v, 0);
                        p.gates[s][at + j] = p.h[s + 1][k];
                    } else if (r.cell() == CellKind.LSTM) {
                        double i = sigmoid(fromX[j] + fromH[j]);
                        double f = sigmoid(fromX[h + j] + fromH[h + j]);
                        double cand = Math.tanh(fromX[2 * h + j] + fromH[2 * h + j]);
                        double o = sigmoid(fromX[3 * h + j] + fromH[3 * h + j]);
                        p.c[s + 1][k] = f * p.c[s][k] + i * cand;
                        p.h[s + 1][k] = o * Math.tanh(p.c[s + 1][k]);
                        double[] gates = {i, f, cand, o};
                        for (int q = 0; q < 4; q++) {
                            p.gates[s][at + q * h + j] = gates[q];
                        }
                    } else {
                        double reset = sigmoid(fromX[j] + fromH[j]);
                        double z = sigmoid(fromX[h + j] + fromH[h + j]);
                        double cand = Math.tanh(fromX[2 * h + j] + reset * fromH[2 * h + j]);
                        p.h[s + 1][k] = (1 - z) * cand + z * p.h[s][k];
                        p.hn[s][k] = fromH[2 * h + j];
                        p.gates[s][at + j] = reset;
                        p.gates[s][at + h + j] = z;
                        p.gates[s][at + 2 * h + j] = cand;
                    }
                }
            }
        }
        return p;
    }

    private static double sigmoid(double v) {
        return 1 / (1 + Math.exp(-v));
    }
}
