using AlignLab.Build;

namespace AlignLab.Training.Tests;

/// <summary>The build step that lets TorchSharp's native glue load on Debian 12.</summary>
public class ElfWeakVersionPatchTests
{
    private static string GlueLibraryInOutput() =>
        Directory.EnumerateFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories).First();

    private static string CopyOfGlueLibrary()
    {
        var copy = Path.Combine(Directory.CreateTempSubdirectory("elf-").FullName, "lib.so");
        File.Copy(GlueLibraryInOutput(), copy);
        return copy;
    }

    [Fact]
    public void TheBuildOutputIsAlreadyPatched() =>
        Assert.Equal(ElfWeakVersionPatch.Outcome.AlreadyWeak, ElfWeakVersionPatch.Apply(CopyOfGlueLibrary(), "GLIBCXX_3.4.32"));

    [Fact]
    public void PatchingIsIdempotentAndTouchesOnlyTheNamedVersion()
    {
        var copy = CopyOfGlueLibrary();
        var before = File.ReadAllBytes(copy);

        Assert.Equal(ElfWeakVersionPatch.Outcome.Patched, ElfWeakVersionPatch.Apply(copy, "GLIBCXX_3.4.18"));
        var once = File.ReadAllBytes(copy);
        Assert.Equal(ElfWeakVersionPatch.Outcome.AlreadyWeak, ElfWeakVersionPatch.Apply(copy, "GLIBCXX_3.4.18"));
        Assert.Equal(once, File.ReadAllBytes(copy));

        // Exactly one 16-bit flags field changed, and only by the VER_FLG_WEAK bit.
        var changed = Enumerable.Range(0, before.Length).Where(i => before[i] != once[i]).ToList();
        var index = Assert.Single(changed);
        Assert.Equal(0x2, before[index] ^ once[index]);
    }

    [Fact]
    public void AVersionTheLibraryDoesNotNeedIsReported() =>
        Assert.Equal(ElfWeakVersionPatch.Outcome.VersionNotRequired, ElfWeakVersionPatch.Apply(CopyOfGlueLibrary(), "GLIBCXX_9.9.9"));

    [Fact]
    public void ANonElfFileIsRejected()
    {
        var path = Path.GetTempFileName();
        File.WriteAllBytes(path, new byte[128]);
        Assert.Throws<InvalidDataException>(() => ElfWeakVersionPatch.Apply(path, "GLIBCXX_3.4.32"));
    }
}
