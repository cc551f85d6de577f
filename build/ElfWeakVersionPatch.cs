// Marks one symbol-version requirement of an ELF64 shared library weak (VER_FLG_WEAK) so that the dynamic
// loader accepts the library on a system whose libstdc++ lacks that version node.
//
// Why: TorchSharp 0.107's libLibTorchSharp.so needs GLIBCXX_3.4.32 (GCC 13) only for
// std::ios_base_library_init(), a symbol that is never relocated. Debian 12 ships GCC 12, so the loader
// refuses the library although nothing from that version is used. A weak requirement is checked but not
// enforced. Used by the PatchNativeLibraries task below (build/TorchSharpNativePatch.targets) after
// build and publish, and by tests.
using System;
using System.IO;
using System.Text;
#if !ELF_PATCH_WITHOUT_MSBUILD
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
#endif

namespace AlignLab.Build
{
    public static class ElfWeakVersionPatch
    {
        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const ushort VerFlgWeak = 0x2;

        public enum Outcome { Patched, AlreadyWeak, VersionNotRequired }

        /// <summary>Sets VER_FLG_WEAK on every requirement of <paramref name="version"/>; idempotent.
        /// Keeps the file's timestamp so incremental copies do not overwrite it with the original.</summary>
        public static Outcome Apply(string path, string version)
        {
            var stamp = File.GetLastWriteTimeUtc(path);
            using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
            var outcome = Apply(file, version);
            file.Dispose();
            File.SetLastWriteTimeUtc(path, stamp);
            return outcome;
        }

        public static Outcome Apply(Stream elf, string version)
        {
            var header = Read(elf, 0, 64);
            if (header[0] != 0x7f || header[1] != (byte)'E' || header[2] != (byte)'L' || header[3] != (byte)'F')
                throw new InvalidDataException("not an ELF file");
            if (header[4] != 2 || header[5] != 1)
                throw new InvalidDataException("only little-endian ELF64 is supported");

            long sectionTable = (long)BitConverter.ToUInt64(header, 0x28);
            int sectionSize = BitConverter.ToUInt16(header, 0x3A);
            int sectionCount = BitConverter.ToUInt16(header, 0x3C);

            var outcome = Outcome.VersionNotRequired;
            for (int i = 0; i < sectionCount; i++)
            {
                var section = Read(elf, sectionTable + (long)i * sectionSize, 64);
                if (BitConverter.ToUInt32(section, 4) != ShtGnuVerneed) continue;

                long needOffset = (long)BitConverter.ToUInt64(section, 24);
                uint needCount = BitConverter.ToUInt32(section, 44);
                var strings = Read(elf, sectionTable + (long)BitConverter.ToUInt32(section, 40) * sectionSize, 64);
                long stringTable = (long)BitConverter.ToUInt64(strings, 24);

                long need = needOffset;
                for (uint n = 0; n < needCount; n++)
                {
                    var verneed = Read(elf, need, 16);
                    int auxCount = BitConverter.ToUInt16(verneed, 2);
                    long aux = need + BitConverter.ToUInt32(verneed, 8);
                    for (int a = 0; a < auxCount; a++)
                    {
                        var vernaux = Read(elf, aux, 16);
                        string name = ReadString(elf, stringTable + BitConverter.ToUInt32(vernaux, 8));
                        if (name == version)
                        {
                            ushort flags = BitConverter.ToUInt16(vernaux, 4);
                            if ((flags & VerFlgWeak) != 0)
                            {
                                if (outcome == Outcome.VersionNotRequired) outcome = Outcome.AlreadyWeak;
                            }
                            else
                            {
                                elf.Position = aux + 4;
                                elf.Write(BitConverter.GetBytes((ushort)(flags | VerFlgWeak)), 0, 2);
                                outcome = Outcome.Patched;
                            }
                        }
                        aux += BitConverter.ToUInt32(vernaux, 12);
                    }
                    need += BitConverter.ToUInt32(verneed, 12);
                }
            }
            return outcome;
        }

        private static byte[] Read(Stream s, long offset, int count)
        {
            var buffer = new byte[count];
            s.Position = offset;
            int read = 0;
            while (read < count)
            {
                int n = s.Read(buffer, read, count - read);
                if (n == 0) throw new InvalidDataException($"ELF file truncated at offset {offset + read}");
                read += n;
            }
            return buffer;
        }

        private static string ReadString(Stream s, long offset)
        {
            var bytes = new StringBuilder();
            s.Position = offset;
            int b;
            while ((b = s.ReadByte()) > 0) bytes.Append((char)b);
            return bytes.ToString();
        }
    }

#if !ELF_PATCH_WITHOUT_MSBUILD
    // MSBuild task: patches every copy of a native library under a folder (build output, publish folder).
    public class PatchNativeLibraries : Task
    {
        [Required] public string Directory { get; set; }
        [Required] public string FileName { get; set; }
        [Required] public string Version { get; set; }

        public override bool Execute()
        {
            if (!System.IO.Directory.Exists(Directory)) return true;
            foreach (var path in System.IO.Directory.EnumerateFiles(Directory, FileName, SearchOption.AllDirectories))
            {
                MaterializeLink(path);
                var outcome = ElfWeakVersionPatch.Apply(path, Version);
                var importance = outcome == ElfWeakVersionPatch.Outcome.Patched ? MessageImportance.Normal : MessageImportance.Low;
                Log.LogMessage(importance, $"{path}: {Version} {outcome}");
            }
            return true;
        }

        // Copy-local files may be symbolic links into the package cache (CreateSymbolicLinksForCopyLocalIfPossible):
        // patching through one would change the cache's file for every project, so the link becomes a copy first.
        static void MaterializeLink(string path)
        {
            if ((File.GetAttributes(path) & FileAttributes.ReparsePoint) == 0) return;
            var bytes = File.ReadAllBytes(path);
            var stamp = File.GetLastWriteTimeUtc(path);
            File.Delete(path);
            File.WriteAllBytes(path, bytes);
            File.SetLastWriteTimeUtc(path, stamp);
        }
    }
#endif
}
