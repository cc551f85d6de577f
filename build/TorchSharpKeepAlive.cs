// Keeps TorchSharp's native-handle arguments alive until the method that uses them returns.
//
// Why: TorchSharp 0.107 passes a Scalar's or Tensor's native pointer to libtorch and does not keep the managed
// object alive across the call (no GC.KeepAlive). `a + b` is `a.add(b, 1)`: the 1 becomes a temporary Scalar
// whose last managed use is reading its Handle. If another thread triggers a collection during the native
// add, the finalizer thread deletes the c10::Scalar while libtorch reads it: "Expected false to be true" from
// Scalar::toFloat, a segfault, or a silently wrong alpha. A temporary Tensor outside a dispose scope (the
// `this` of `a.mul(b).sum()`) has the same race. TorchSharpKeepAliveTests provokes it.
//
// The weave: in every method of TorchSharp.dll, before each `ret`, `GC.KeepAlive` every argument (`this`
// included) and local whose type is Scalar, Tensor or a subclass. Applied to the runtime copy of the
// assembly (build/TorchSharpKeepAlive.targets); compilation still references the package's file.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using Mono.Cecil;
using Mono.Cecil.Cil;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace AlignLab.Build
{
    public sealed class WeaveTorchSharpKeepAlive : Task
    {
        /// <summary>The package's TorchSharp.dll.</summary>
        [Required] public string Source { get; set; } = "";

        /// <summary>Where the woven copy goes; written atomically.</summary>
        [Required] public string Destination { get; set; } = "";

        /// <summary>The folder holding Mono.Cecil.dll.</summary>
        [Required] public string CecilDirectory { get; set; } = "";

        private static string cecilDirectory = "";

        public override bool Execute()
        {
            if (cecilDirectory.Length == 0)
                AppDomain.CurrentDomain.AssemblyResolve += (_, e) =>
                {
                    var path = Path.Combine(cecilDirectory, new AssemblyName(e.Name).Name + ".dll");
                    return File.Exists(path) ? Assembly.LoadFrom(path) : null;
                };
            cecilDirectory = CecilDirectory;
            var woven = Weave();
            Log.LogMessage(MessageImportance.Normal, $"TorchSharp keep-alive: {woven} methods woven into {Destination}");
            return true;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private int Weave() => KeepAliveWeaver.Weave(Source, Destination);
    }

    public static class KeepAliveWeaver
    {
        public static int Weave(string source, string destination)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(destination))!);
            var temporary = destination + "." + Guid.NewGuid().ToString("N") + ".tmp";
            int woven;
            using (var module = ModuleDefinition.ReadModule(source, new ReaderParameters { ReadSymbols = false }))
            {
                var keepAlive = KeepAliveReference(module);
                woven = module.GetTypes().SelectMany(t => t.Methods).Count(m => WeaveMethod(m, keepAlive));
                module.Write(temporary);
            }
            if (File.Exists(destination)) File.Replace(temporary, destination, null);
            else File.Move(temporary, destination);
            return woven;
        }

        /// <summary>System.GC.KeepAlive(object) in the core library TorchSharp itself references.</summary>
        private static MethodReference KeepAliveReference(ModuleDefinition module)
        {
            var gc = new TypeReference("System", "GC", module, module.TypeSystem.CoreLibrary);
            var method = new MethodReference("KeepAlive", module.TypeSystem.Void, gc) { HasThis = false };
            method.Parameters.Add(new ParameterDefinition(module.TypeSystem.Object));
            return module.ImportReference(method);
        }

        private static bool WeaveMethod(MethodDefinition method, MethodReference keepAlive)
        {
            if (!method.HasBody) return false;
            var body = method.Body;
            var loads = new List<Func<Instruction>>();
            if (method.HasThis && HoldsNativeHandle(method.DeclaringType))
                loads.Add(() => Instruction.Create(OpCodes.Ldarg, body.ThisParameter));
            foreach (var parameter in method.Parameters.Where(p => HoldsNativeHandle(p.ParameterType)))
                loads.Add(() => Instruction.Create(OpCodes.Ldarg, parameter));
            foreach (var variable in body.Variables.Where(v => HoldsNativeHandle(v.VariableType)))
                loads.Add(() => Instruction.Create(OpCodes.Ldloc, variable));
            var returns = body.Instructions.Where(i => i.OpCode == OpCodes.Ret).ToList();
            if (loads.Count == 0 || returns.Count == 0) return false;

            LengthenBranches(body);
            var il = body.GetILProcessor();
            foreach (var ret in returns)
            {
                // The ret instruction itself becomes the first load, so branches that targeted it still land
                // before every KeepAlive; the return value (if any) stays beneath on the stack.
                var first = loads[0]();
                ret.OpCode = first.OpCode;
                ret.Operand = first.Operand;
                var cursor = ret;
                cursor = InsertAfter(il, cursor, Instruction.Create(OpCodes.Call, keepAlive));
                foreach (var load in loads.Skip(1))
                {
                    cursor = InsertAfter(il, cursor, load());
                    cursor = InsertAfter(il, cursor, Instruction.Create(OpCodes.Call, keepAlive));
                }
                InsertAfter(il, cursor, Instruction.Create(OpCodes.Ret));
            }
            return true;
        }

        private static readonly Dictionary<Code, OpCode> LongForms = new Dictionary<Code, OpCode>
        {
            [Code.Br_S] = OpCodes.Br, [Code.Brfalse_S] = OpCodes.Brfalse, [Code.Brtrue_S] = OpCodes.Brtrue,
            [Code.Beq_S] = OpCodes.Beq, [Code.Bge_S] = OpCodes.Bge, [Code.Bgt_S] = OpCodes.Bgt,
            [Code.Ble_S] = OpCodes.Ble, [Code.Blt_S] = OpCodes.Blt, [Code.Bne_Un_S] = OpCodes.Bne_Un,
            [Code.Bge_Un_S] = OpCodes.Bge_Un, [Code.Bgt_Un_S] = OpCodes.Bgt_Un, [Code.Ble_Un_S] = OpCodes.Ble_Un,
            [Code.Blt_Un_S] = OpCodes.Blt_Un, [Code.Leave_S] = OpCodes.Leave,
        };

        /// <summary>Short branches carry a one-byte offset that the inserted instructions may overflow.</summary>
        private static void LengthenBranches(Mono.Cecil.Cil.MethodBody body)
        {
            foreach (var instruction in body.Instructions)
                if (LongForms.TryGetValue(instruction.OpCode.Code, out var longForm))
                    instruction.OpCode = longForm;
        }

        private static Instruction InsertAfter(ILProcessor il, Instruction after, Instruction instruction)
        {
            il.InsertAfter(after, instruction);
            return instruction;
        }

        /// <summary>Scalar, Tensor, or a class of this module deriving from either (Parameter). Types from other
        /// assemblies are not resolved: their base chains never reach these.</summary>
        private static bool HoldsNativeHandle(TypeReference type)
        {
            if (type.IsByReference || type.IsPointer || type.IsArray || type.IsGenericParameter) return false;
            for (var current = type; current != null;)
            {
                if (current.FullName is "TorchSharp.Scalar" or "TorchSharp.torch/Tensor") return true;
                if (current.Scope != type.Module) return false;
                var definition = current as TypeDefinition ?? current.Module.GetType(current.FullName);
                if (definition == null || definition.IsValueType) return false;
                current = definition.BaseType;
            }
            return false;
        }
    }
}
