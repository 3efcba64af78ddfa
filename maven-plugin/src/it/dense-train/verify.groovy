// The classes were generated where the goals put them, and the tests that use them passed.
def main = new File(basedir, 'target/generated-sources/dnnc/org/example/tiny/Tiny.java')
def test = new File(basedir, 'target/generated-test-sources/dnnc/org/example/probe/Probe.java')
assert main.isFile()
assert test.isFile()
assert test.text.contains('package org.example.probe;')
assert new File(basedir, 'target/dnnc/compile.state').isFile()
assert new File(basedir, 'target/dnnc/testCompile.state').isFile()
def log = new File(basedir, 'build.log').text
assert log.contains('dnnc: 1 .dnn file: 1 compiled, 0 up to date; Java files: 1 written, 0 unchanged, 0 deleted')
assert log.contains('Tests run: 3, Failures: 0, Errors: 0, Skipped: 0')
return true
