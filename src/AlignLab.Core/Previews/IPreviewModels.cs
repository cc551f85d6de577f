using AlignLab.Core.R3;
using AlignLab.Core.Tokenization;

namespace AlignLab.Core.Previews;

/// <summary>The tokenizers and models a node keeps loaded to answer previews: what the web asks of a model without
/// knowing how one runs. Each method throws what <see cref="Models.ModelFiles.IsLoadError"/> recognises when the
/// folder's files cannot be used.</summary>
public interface IPreviewModels
{
    /// <summary>The folder's tokenizer.</summary>
    TextTokenizer Tokenizer(string folder);

    /// <summary>log p(response[k] | prompt, response[&lt;k]) for every response token, under the folder's causal language model.</summary>
    Task<double[]> ResponseLogProbsAsync(string folder, int[] promptIds, int[] responseIds, CancellationToken cancellationToken = default);

    /// <summary>Runs <paramref name="use"/> on the folder's dense retriever, one caller at a time.</summary>
    Task<T> UseRetrieverAsync<T>(string folder, Func<IRelevanceScorer, T> use, CancellationToken cancellationToken = default);
}
