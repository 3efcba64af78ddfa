package org.dnnc.maven;

import java.io.File;
import javax.inject.Inject;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.codehaus.plexus.build.BuildContext;

/**
 * Compiles {@code src/test/dnn/**}{@code /*.dnn} into Java sources under
 * {@code target/generated-test-sources/dnnc}, one class per network, and adds that folder to the
 * test compile source roots. Only files that changed since the last build are compiled again.
 */
@Mojo(name = "testCompile", defaultPhase = LifecyclePhase.GENERATE_TEST_SOURCES, threadSafe = true)
public class TestCompileMojo extends AbstractDnncMojo {

    /** The folder of the test {@code .dnn} files. */
    @Parameter(defaultValue = "${project.basedir}/src/test/dnn", required = true)
    private File sourceDirectory;

    /** Where the generated Java test sources go, in package folders. */
    @Parameter(defaultValue = "${project.build.directory}/generated-test-sources/dnnc", required = true)
    private File outputDirectory;

    /** Skips this goal along with the compilation of the tests ({@code -Dmaven.test.skip=true}). */
    @Parameter(property = "maven.test.skip", defaultValue = "false")
    private boolean skipTests;

    @Inject
    public TestCompileMojo(BuildContext buildContext) {
        super(buildContext);
    }

    @Override
    protected File sourceDirectory() {
        return sourceDirectory;
    }

    @Override
    protected File outputDirectory() {
        return outputDirectory;
    }

    @Override
    protected void addSourceRoot(String directory) {
        project.addTestCompileSourceRoot(directory);
    }

    @Override
    protected boolean skippedByGoal() {
        return skipTests;
    }

    @Override
    protected String goal() {
        return "testCompile";
    }
}
