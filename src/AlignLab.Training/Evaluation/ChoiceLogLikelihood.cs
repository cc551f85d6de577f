using AlignLab.Core.Tokenization;
using AlignLab.Training.Batching;
using AlignLab.Training.Inference;
using AlignLab.Training.Models;
using static TorchSharp.torch;

namespace AlignLab.Training.Evaluation;

/// <summary>The summed log-probability of each choice of a multiple-choice item after its prompt, as training joins them:
/// the prompt through the template (with BOS where the tokenizer adds one), then the choice string tokenized on its own.
/// All choices of an item go through the model in one batch. A prompt too long for the model's context loses tokens from
/// its start; a choice is never cut. An empty prompt scores the choices as whole texts (CrowS-Pairs' sentences), after the
/// tokenizer's BOS token, or its EOS where it has no BOS, as lm-evaluation-harness does.</summary>
public static class ChoiceLogLikelihood
{
    public static double[] Score(CausalLM model, TextTokenizer tokenizer, PromptTemplate template, string prompt, IReadOnlyList<string> choices, Device device)
    {
        var promptIds = prompt.Length == 0 ? WholeTextContext(tokenizer) : template.EncodePrompt(tokenizer, prompt, "");
        var rows = choices.Select(choice =>
        {
            var choiceIds = tokenizer.Encode(choice);
            var room = model.Config.MaxPositions - choiceIds.Length;
            if (room < 1) throw new ArgumentException($"a choice of {choiceIds.Length} tokens does not fit the model's context of {model.Config.MaxPositions}");
            return (promptIds.Length > room ? promptIds[^room..] : promptIds, choiceIds);
        }).ToList();

        using var scope = NewDisposeScope();
        using var evaluating = EvalMode.Enter(model);
        var batch = ResponseBatch.Pad(rows, tokenizer.PadTokenId, device);
        var logProbs = TokenLogProbs.OfResponses(model, batch.InputIds, batch.ResponseMask, batch.Unpadded(), withEntropy: false).LogProbs;
        return (logProbs.to(ScalarType.Float64) * batch.ResponseMask.to(ScalarType.Float64)).sum(1).cpu().data<double>().ToArray();
    }

    private static int[] WholeTextContext(TextTokenizer tokenizer) => [tokenizer.BosTokenId ?? tokenizer.EosTokenId];
}
