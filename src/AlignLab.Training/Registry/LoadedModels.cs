using AlignLab.Core.Models;
using AlignLab.Core.Previews;
using AlignLab.Core.R3;
using AlignLab.Core.Tokenization;
using AlignLab.Training.Models;
using AlignLab.Training.Previews;
using AlignLab.Training.Retrieval;
using AlignLab.Training.Weights;

namespace AlignLab.Training.Registry;

/// <summary>Tokenizers and models (language models, dense retrievers) this node has loaded for previews, kept while their folder's
/// files stay unchanged, so that a preview does not pay for loading and repeated previews keep memory flat.
/// Models are few (<see cref="ModelCapacity"/>, least recently used dropped first) and used by one caller at a time.</summary>
public sealed class LoadedModels : IPreviewModels, IDisposable
{
    public const int ModelCapacity = 2;
    private const int TokenizerCapacity = 32;

    private readonly object _gate = new();
    private readonly Dictionary<string, (DateTime Stamp, TextTokenizer Tokenizer)> _tokenizers = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Folder, DateTime Stamp, IDisposable Model)> _models = new();
    private readonly SemaphoreSlim _modelUse = new(1, 1);

    /// <summary>The folder's tokenizer; throws as <see cref="TextTokenizer.Load"/> does.</summary>
    public TextTokenizer Tokenizer(string folder)
    {
        var stamp = Stamp(folder);
        lock (_gate)
            if (_tokenizers.TryGetValue(folder, out var cached) && cached.Stamp == stamp) return cached.Tokenizer;
        var tokenizer = TextTokenizer.Load(folder);
        lock (_gate)
        {
            if (_tokenizers.Count >= TokenizerCapacity) _tokenizers.Clear();
            _tokenizers[folder] = (stamp, tokenizer);
        }
        return tokenizer;
    }

    /// <summary>Runs <paramref name="use"/> on the folder's model (loaded on the CPU, in eval mode), one caller at a time.</summary>
    public Task<T> UseModelAsync<T>(string folder, Func<CausalLM, T> use, CancellationToken cancellationToken = default) =>
        UseAsync(folder, loaded =>
        {
            var model = ModelFolder.Load(loaded);
            model.eval();
            return model;
        }, use, cancellationToken);

    public Task<double[]> ResponseLogProbsAsync(string folder, int[] promptIds, int[] responseIds, CancellationToken cancellationToken = default) =>
        ReportingBadWeights(UseModelAsync(folder, model => LogProbPreview.ResponseLogProbs(model, promptIds, responseIds), cancellationToken));

    Task<T> IPreviewModels.UseRetrieverAsync<T>(string folder, Func<IRelevanceScorer, T> use, CancellationToken cancellationToken) =>
        ReportingBadWeights(UseRetrieverAsync(folder, retriever => use(retriever), cancellationToken));

    // Callers without model code know a malformed weights file as an InvalidDataException (ModelFiles.IsLoadError).
    private static async Task<T> ReportingBadWeights<T>(Task<T> task)
    {
        try { return await task; }
        catch (WeightsFormatException e) { throw new InvalidDataException(e.Message, e); }
    }

    /// <summary>Runs <paramref name="use"/> on the folder's dense retriever (R³'s relevance scorer, on the CPU), one caller at a time.</summary>
    public Task<T> UseRetrieverAsync<T>(string folder, Func<RetrieverScorer, T> use, CancellationToken cancellationToken = default) =>
        UseAsync(folder, loaded => RetrieverScorer.Load(loaded), use, cancellationToken);

    // The few models kept, most recently used first, each by folder and kind; one caller uses them at a time.
    private async Task<T> UseAsync<TModel, T>(string folder, Func<string, TModel> load, Func<TModel, T> use, CancellationToken cancellationToken)
        where TModel : class, IDisposable
    {
        await _modelUse.WaitAsync(cancellationToken);
        try
        {
            var stamp = Stamp(folder);
            var node = _models.First;
            while (node is not null && !(node.Value.Folder == folder && node.Value.Model is TModel && node.Value.Stamp == stamp)) node = node.Next;
            if (node is null)
            {
                // An older version of the same folder (re-exported since) goes first.
                for (var stale = _models.First; stale is not null;)
                {
                    var next = stale.Next;
                    if (stale.Value.Folder == folder && stale.Value.Model is TModel)
                    {
                        stale.Value.Model.Dispose();
                        _models.Remove(stale);
                    }
                    stale = next;
                }
                node = _models.AddFirst((folder, stamp, load(folder)));
                while (_models.Count > ModelCapacity)
                {
                    _models.Last!.Value.Model.Dispose();
                    _models.RemoveLast();
                }
            }
            else if (node != _models.First)
            {
                _models.Remove(node);
                _models.AddFirst(node);
            }
            return use((TModel)node.Value.Model);
        }
        finally
        {
            _modelUse.Release();
        }
    }

    private static DateTime Stamp(string folder) => ModelFiles.FolderStamp(folder);

    public void Dispose()
    {
        foreach (var (_, _, model) in _models) model.Dispose();
        _models.Clear();
        _modelUse.Dispose();
    }
}
