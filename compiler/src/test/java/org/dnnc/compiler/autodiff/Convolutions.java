package org.dnnc.compiler.autodiff;

import java.util.List;
import org.dnnc.compiler.ir.Conv2d;
import org.dnnc.compiler.ir.Conv2dGradInput;
import org.dnnc.compiler.ir.Conv2dGradWeight;
import org.dnnc.compiler.ir.GlobalAvgPool;
import org.dnnc.compiler.ir.Op;
import org.dnnc.compiler.ir.Pool2d;
import org.dnnc.compiler.ir.Pool2dGrad;
import org.dnnc.compiler.ir.PoolKind;

/** The reference interpreter's convolutions and pooling, as direct loops over NCHW in double precision. */
final class Convolutions {
    private Convolutions() {}

    static double[] eval(Op op, List<double[]> in, List<int[]> dims, int[] out) {
        Conv2d conv = op instanceof Conv2d c ? c : op instanceof Conv2dGradInput g ? g.forward() : ((Conv2dGradWeight) op).forward();
        // x [N,C,H,W], w [O,C,kh,kw], y [N,O,oh,ow], whichever of them are operands or the result.
        int[] x = op instanceof Conv2dGradInput ? out : dims.get(op instanceof Conv2dGradWeight ? 1 : 0);
        int[] w = op instanceof Conv2dGradWeight ? out : dims.get(1);
        int[] y = op instanceof Conv2d ? out : dims.get(0);
        double[] result = new double[size(out)];
        double[] xs = op instanceof Conv2dGradInput ? result : in.get(op instanceof Conv2dGradWeight ? 1 : 0);
        double[] ws = op instanceof Conv2dGradWeight ? result : in.get(1);
        double[] ys = op instanceof Conv2d ? result : in.get(0);
        for (int n = 0; n < x[0]; n++) {
            for (int o = 0; o < w[0]; o++) {
                for (int i = 0; i < y[2]; i++) {
                    for (int j = 0; j < y[3]; j++) {
                        int yi = ((n * y[1] + o) * y[2] + i) * y[3] + j;
                        for (int c = 0; c < w[1]; c++) {
                            for (int p = 0; p < w[2]; p++) {
                                for (int q = 0; q < w[3]; q++) {
                                    int h = i * conv.strideH() - conv.padTop() + p;
                                    int v = j * conv.strideW() - conv.padLeft() + q;
                                    if (h < 0 || h >= x[2] || v < 0 || v >= x[3]) {
                                        continue;
                                    }
                                    int xi = ((n * x[1] + c) * x[2] + h) * x[3] + v;
                                    int wi = ((o * w[1] + c) * w[2] + p) * w[3] + q;
                                    if (op instanceof Conv2d) {
                                        ys[yi] += xs[xi] * ws[wi];
                                    } else if (op instanceof Conv2dGradInput) {
                                        xs[xi] += ys[yi] * ws[wi];
                                    } else {
                                        ws[wi] += ys[yi] * xs[xi];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return result;
    }

    static double[] pool(Op op, List<double[]> in, List<int[]> dims, int[] out) {
        if (op instanceof GlobalAvgPool) {
            int[] x = dims.get(0);
            int area = x[2] * x[3];
            double[] y = new double[x[0] * x[1]];
            for (int k = 0; k < in.get(0).length; k++) {
                y[k / area] += in.get(0)[k] / area;
            }
            return y;
        }
        if (!(op instanceof Pool2d) && !(op instanceof Pool2dGrad)) {
            // The gradient of global average pooling: dy spread evenly.
            int area = out[2] * out[3];
            double[] dx = new double[size(out)];
            for (int k = 0; k < dx.length; k++) {
                dx[k] = in.get(0)[k / area] / area;
            }
            return dx;
        }
        Pool2d pool = op instanceof Pool2d p ? p : ((Pool2dGrad) op).forward();
        int[] x = op instanceof Pool2d ? dims.get(0) : out;
        int[] y = op instanceof Pool2d ? out : dims.get(0);
        double[] xs = op instanceof Pool2d ? in.get(0) : in.get(1);
        double[] result = new double[size(out)];
        for (int nc = 0; nc < x[0] * x[1]; nc++) {
            for (int i = 0; i < y[2]; i++) {
                for (int j = 0; j < y[3]; j++) {
                    int yi = (nc * y[2] + i) * y[3] + j;
                    double best = Double.NEGATIVE_INFINITY;
                    int arg = -1;
                    double sum = 0;
                    for (int p = 0; p < pool.kernelH(); p++) {
                        for (int q = 0; q < pool.kernelW(); q++) {
                            int h = i * pool.strideH() - pool.padH() + p;
                            int v = j * pool.strideW() - pool.padW() + q;
                            if (h < 0 || h >= x[2] || v < 0 || v >= x[3]) {
                                continue;
                            }
                            int xi = (nc * x[2] + h) * x[3] + v;
                            if (xs[xi] > best) {
                                best = xs[xi];
                                arg = xi;
                            }
                            sum += xs[xi];
                            if (op instanceof Pool2dGrad && pool.kind() == PoolKind.AVG) {
                                // PyTorch's default counts the padding in the average.
                                result[xi] += in.get(0)[yi] / (pool.kernelH() * pool.kernelW());
                            }
                        }
                    }
                    if (op instanceof Pool2d) {
                        result[yi] = pool.kind() == PoolKind.MAX ? best : sum / (pool.kernelH() * pool.kernelW());
                    } else if (pool.kind() == PoolKind.MAX) {
                        result[arg] += in.get(0)[yi];
                    }
                }
            }
        }
        return result;
    }

    static int size(int[] dims) {
        int s = 1;
        for (int d : dims) {
            s *= d;
        }
        return s;
    }
}
