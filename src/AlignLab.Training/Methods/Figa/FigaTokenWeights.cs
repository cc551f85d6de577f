using System.Text.Json;
using AlignLab.Core.Figa;
using AlignLab.Core.Tokenization;
using AlignLab.Training.Inference;
using AlignLab.Training.Models;
using static TorchSharp.torch;

namespace AlignLab.Training.Methods.Figa;

/// <summary>The reviewers' artifact: per held-out pair, the tokens of Ŷ and Ỹ with their labels, Eq. 1 weights,
/// the NLL under the trained model and, for Ŷ, whether the selection kept the penalty, in the rows of <see cref="FigaArtifacts"/>.</summary>
public static class FigaTokenWeights
{
    public const string FileName = FigaArtifacts.TokenWeightsFile;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void Write(string path, CausalLM model, TextTokenizer tokenizer, IReadOnlyList<FigaExample> examples, FigaOptions options, Device device)
    {
        using var writer = new StreamWriter(path);
        using (EvalMode.Enter(model))
            foreach (var example in examples)
            {
                using var scope = NewDisposeScope();
                var batch = FigaBatch.Build([example], tokenizer.PadTokenId, device);
                var ce = TokenLogProbs.OfResponses(model, batch.InputIds, batch.ResponseMask, batch.Unpadded,
                    withEntropy: false).Nll.cpu();                                                       // read on the host
                var revisedNll = ce[0].narrow(0, example.Prompt.Length, example.Revised.Length).data<float>().ToArray();
                var originalNll = ce[1].narrow(0, example.Prompt.Length, example.Original.Length).data<float>().ToArray();
                string Text(int id) => id == tokenizer.EosTokenId ? "<eos>" : tokenizer.Decode([id]);
                var revised = example.Revised.Select((id, k) => new FigaArtifacts.TokenRow(Text(id), id,
                    example.Weights.RevisedChanged[k] ? FigaArtifacts.AddedOrSubstituted : FigaArtifacts.Unchanged, example.Weights.Revised[k], revisedNll[k],
                    example.Weights.Revised[k] != 0)).ToList();
                var original = example.Original.Select((id, k) => new FigaArtifacts.TokenRow(Text(id), id,
                    example.Weights.OriginalChanged[k] ? FigaArtifacts.DeletedOrSubstituted : FigaArtifacts.Unchanged, example.Weights.Original[k], originalNll[k],
                    example.Weights.Original[k] != 0 && options.Keeps(originalNll[k]))).ToList();
                writer.WriteLine(JsonSerializer.Serialize(new FigaArtifacts.PairRow(example.Instruction, original, revised), Json));
            }
    }
}
