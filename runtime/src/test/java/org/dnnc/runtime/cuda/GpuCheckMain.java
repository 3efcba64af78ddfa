package org.dnnc.runtime.cuda;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

import com.google.gson.GsonBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs every test of this package (the CUDA kernels against their CPU twins, cuBLAS, cuDNN, CUDA
 * graphs, ...) and prints one JSON object: what {@link Cuda#availability()} and {@link
 * Cudnn#availability()} say, and each test's status with its message. For the GPU machine, which
 * has no Maven: {@code tools/gpu-check} bundles this class with the test classpath and a Java
 * runtime. Exits with 1 when a test failed, 0 otherwise.
 */
public final class GpuCheckMain {

    private GpuCheckMain() {}

    /**
     * Runs the tests of this package, or those that {@code args} name: each a test class's or a
     * package's name (the compiler's {@code GeneratedCudaTrainingTest}, with its classes on the class
     * path).
     */
    public static void main(String[] args) {
        List<Map<String, String>> tests = new ArrayList<>();
        int[] counts = new int[3];
        TestExecutionListener listener = new TestExecutionListener() {
            @Override
            public void executionSkipped(TestIdentifier test, String reason) {
                if (test.isTest()) {
                    tests.add(entry(test, "skipped", reason));
                    counts[2]++;
                }
            }

            @Override
            public void executionFinished(TestIdentifier test, TestExecutionResult result) {
                if (!test.isTest()) {
                    return;
                }
                String message = result.getThrowable().map(Throwable::toString).orElse("");
                switch (result.getStatus()) {
                    case SUCCESSFUL -> {
                        tests.add(entry(test, "passed", message));
                        counts[0]++;
                    }
                    case ABORTED -> {
                        tests.add(entry(test, "skipped", message));
                        counts[2]++;
                    }
                    default -> {
                        tests.add(entry(test, "failed", message));
                        counts[1]++;
                    }
                }
            }
        };
        Launcher launcher = LauncherFactory.create();
        List<DiscoverySelector> selectors = new ArrayList<>();
        for (String name : args.length == 0 ? new String[] {"org.dnnc.runtime.cuda"} : args) {
            selectors.add(isClass(name) ? selectClass(name) : selectPackage(name));
        }
        launcher.execute(LauncherDiscoveryRequestBuilder.request().selectors(selectors).build(), listener);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("cuda", Cuda.availability());
        report.put("cudnn", Cudnn.availability());
        report.put("passed", counts[0]);
        report.put("failed", counts[1]);
        report.put("skipped", counts[2]);
        report.put("tests", tests);
        System.out.println(new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(report));
        System.exit(counts[1] > 0 ? 1 : 0);
    }

    private static boolean isClass(String name) {
        try {
            Class.forName(name, false, GpuCheckMain.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static Map<String, String> entry(TestIdentifier test, String status, String message) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("test", test.getUniqueId().replaceAll("\\[(engine|class|method):", "[").replace("]/[", " ")
                .replaceAll("[\\[\\]]", ""));
        m.put("status", status);
        if (!message.isEmpty()) {
            m.put("message", message);
        }
        return m;
    }
}
