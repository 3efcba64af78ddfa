package org.dnnc.runtime.cpu;

/** The naive convolution in double that kernel tests compare against. */
final class DirectConv {

    private DirectConv() {}

    /** A direct convolution in double, {@code [batch, O, oh, ow]}. */
    static float[] forward(ConvGeometry g, float[] x, float[] w, float[] b, int batch) {
        int oh = g.outHeight();
        int ow = g.outWidth();
        float[] y = new float[batch * g.outputSize()];
        for (int n = 0; n < batch; n++) {
            for (int o = 0; o < g.filters(); o++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double sum = b[o];
                        for (int c = 0; c < g.channels(); c++) {
                            for (int i = 0; i < g.kernelH(); i++) {
                                for (int j = 0; j < g.kernelW(); j++) {
                                    int iy = oy * g.strideH() + i - g.padTop();
                                    int ix = ox * g.strideW() + j - g.padLeft();
                                    if (iy >= 0 && iy < g.height() && ix >= 0 && ix < g.width()) {
                                        sum += (double) x[((n * g.channels() + c) * g.height() + iy) * g.width() + ix]
                                                * w[((o * g.channels() + c) * g.kernelH() + i) * g.kernelW() + j];
                                    }
                                }
                            }
                        }
                        y[((n * g.filters() + o) * oh + oy) * ow + ox] = (float) sum;
                    }
                }
            }
        }
        return y;
    }

    /** {@code {dx, dW}} of the direct convolution for upstream gradient {@code dy}, in double. */
    static double[][] backward(ConvGeometry g, float[] x, float[] w, float[] dy, int batch) {
        int oh = g.outHeight();
        int ow = g.outWidth();
        double[] dx = new double[x.length];
        double[] dw = new double[w.length];
        for (int n = 0; n < batch; n++) {
            for (int o = 0; o < g.filters(); o++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double grad = dy[((n * g.filters() + o) * oh + oy) * ow + ox];
                        for (int c = 0; c < g.channels(); c++) {
                            for (int i = 0; i < g.kernelH(); i++) {
                                for (int j = 0; j < g.kernelW(); j++) {
                                    int iy = oy * g.strideH() + i - g.padTop();
                                    int ix = ox * g.strideW() + j - g.padLeft();
                                    if (iy >= 0 && iy < g.height() && ix >= 0 && ix < g.width()) {
                                        int xi = ((n * g.channels() + c) * g.height() + iy) * g.width() + ix;
                                        int wi = ((o * g.channels() + c) * g.kernelH() + i) * g.kernelW() + j;
                                        dx[xi] += grad * w[wi];
                                        dw[wi] += grad * x[xi];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return new double[][] {dx, dw};
    }

    static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }
}
