package org.dnnc.runtime.cuda;

import static org.bytedeco.cuda.global.nvrtc.nvrtcCompileProgram;
import static org.bytedeco.cuda.global.nvrtc.nvrtcCreateProgram;
import static org.bytedeco.cuda.global.nvrtc.nvrtcDestroyProgram;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetPTX;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetPTXSize;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetProgramLog;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetProgramLogSize;
import static org.bytedeco.cuda.global.nvrtc.nvrtcVersion;

import java.nio.charset.StandardCharsets;
import org.bytedeco.cuda.nvrtc._nvrtcProgram;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;

/**
 * The NVRTC compiler ({@code libnvrtc.so.13}): CUDA C to PTX for the device's virtual
 * architecture, which the driver then compiles for the exact GPU when the module loads.
 *
 * <p>No fast-math flags: the kernels must agree with their CPU twins to FP32 rounding, so {@code
 * expf}, {@code tanhf} and division keep their IEEE-accurate forms.
 */
public final class Nvrtc implements KernelCompiler {

    /** The flags besides the architecture; part of {@link #id()}. */
    private static final String[] FLAGS = {"--std=c++17"};

    private final String id;

    /** Loads NVRTC (call only where {@link Cuda#availability()} is present). */
    public Nvrtc() {
        int[] major = {0};
        int[] minor = {0};
        Check.nvrtc(nvrtcVersion(major, minor), "nvrtcVersion", "");
        id = "nvrtc " + major[0] + "." + minor[0] + " " + String.join(" ", FLAGS);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String compile(KernelSource source, String architecture) {
        _nvrtcProgram program = new _nvrtcProgram();
        Check.nvrtc(nvrtcCreateProgram(program, new BytePointer(source.source()), new BytePointer(source.name() + ".cu"),
                0, (PointerPointer<?>) null, (PointerPointer<?>) null), "nvrtcCreateProgram(" + source.name() + ")", "");
        try {
            String[] options = new String[FLAGS.length + 1];
            options[0] = "--gpu-architecture=" + architecture;
            System.arraycopy(FLAGS, 0, options, 1, FLAGS.length);
            int status = nvrtcCompileProgram(program, options.length, new PointerPointer<>(options));
            Check.nvrtc(status, "compiling kernel source " + source.name() + " for " + architecture, log(program));
            SizeTPointer size = new SizeTPointer(1);
            Check.nvrtc(nvrtcGetPTXSize(program, size), "nvrtcGetPTXSize", "");
            byte[] ptx = new byte[(int) size.get()];
            Check.nvrtc(nvrtcGetPTX(program, ptx), "nvrtcGetPTX", "");
            // The size counts the terminating NUL.
            int length = ptx.length > 0 && ptx[ptx.length - 1] == 0 ? ptx.length - 1 : ptx.length;
            return new String(ptx, 0, length, StandardCharsets.UTF_8);
        } finally {
            nvrtcDestroyProgram(program);
        }
    }

    private static String log(_nvrtcProgram program) {
        SizeTPointer size = new SizeTPointer(1);
        if (nvrtcGetProgramLogSize(program, size) != 0 || size.get() <= 1) {
            return "";
        }
        byte[] log = new byte[(int) size.get()];
        nvrtcGetProgramLog(program, log);
        return new String(log, 0, log.length - 1, StandardCharsets.UTF_8).strip();
    }
}
