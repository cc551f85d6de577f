using AlignLab.Core.R3;
using AlignLab.Core.Tokenization;
using AlignLab.Training.Batching;
using AlignLab.Training.Models;
using static TorchSharp.torch;

namespace AlignLab.Training.Inference;

/// <summary>Classifies queries with a local causal LM (the "learned" query type of “Preference-free Alignment Learning with Regularized Relevance Reward”, a LLaMA-2-7B in the paper):
/// the classification prompt in the model's template, then the log-likelihood of each answer, "OPEN-ENDED" and
/// "CLOSED-ENDED" followed by end-of-sequence. The likelier answer is the type: a choice between the two answers
/// the prompt allows, so the model cannot answer off-format. A prompt longer than the model's context keeps its end
/// (the query and the answer cue), as left-side truncation does.</summary>
public sealed class LocalQueryTypeClassifier(CausalLM model, TextTokenizer tokenizer, PromptTemplate template, Device device, int batchSize,
    bool ownsModel = false) : IQueryTypeClassifier
{
    public Task<IReadOnlyList<QueryTypeVerdict>> ClassifyAsync(IReadOnlyList<string> conversations, CancellationToken cancellationToken)
    {
        var verdicts = new List<QueryTypeVerdict>(conversations.Count);
        // Two rows per query (its prompt with each answer); batchSize rows per forward pass.
        foreach (var chunk in conversations.Chunk(Math.Max(1, batchSize / 2)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var scores = AnswerLogLikelihoods(chunk);
            for (int i = 0; i < chunk.Length; i++)
            {
                var (open, closed) = (scores[2 * i], scores[2 * i + 1]);
                var type = open >= closed ? QueryType.OpenEnded : QueryType.ClosedEnded;
                var answer = type == QueryType.OpenEnded ? QueryTypePrompt.OpenEndedAnswer : QueryTypePrompt.ClosedEndedAnswer;
                verdicts.Add(new QueryTypeVerdict(type, $"{answer} (log p {QueryTypePrompt.OpenEndedAnswer} {open:0.###}, {QueryTypePrompt.ClosedEndedAnswer} {closed:0.###})"));
            }
        }
        return Task.FromResult<IReadOnlyList<QueryTypeVerdict>>(verdicts);
    }

    /// <summary>log p(answer, EOS | prompt), summed over the answer's tokens, for OPEN-ENDED then CLOSED-ENDED of each query.</summary>
    public double[] AnswerLogLikelihoods(IReadOnlyList<string> conversations)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var rows = conversations.SelectMany(c => new[] { QueryTypePrompt.OpenEndedAnswer, QueryTypePrompt.ClosedEndedAnswer }
            .Select(answer => Fit(template.Encode(tokenizer, QueryTypePrompt.Render(c), "", answer)))).ToList();
        var batch = ResponseBatch.Pad(rows, tokenizer.PadTokenId, device);
        model.eval();
        // The head only over the answers' span: a classification prompt of a few hundred tokens costs no logits.
        using var logProbs = TokenLogProbs.OfResponses(model, batch.InputIds, batch.ResponseMask, batch.Unpadded(), withEntropy: false);
        return logProbs.LogProbs.sum(1).to(ScalarType.Float64).cpu().data<double>().ToArray();
    }

    /// <summary>The row, its prompt cut from the left so that prompt and answer fit the model's positions.</summary>
    public (int[] Prompt, int[] Response) Fit((int[] Prompt, int[] Response) row)
    {
        var room = model.Config.MaxPositions - row.Response.Length;
        return row.Prompt.Length <= room ? row : (row.Prompt[^Math.Max(1, room)..], row.Response);
    }

    public void Dispose()
    {
        if (ownsModel) model.Dispose();
    }
}
