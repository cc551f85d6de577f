using AlignLab.Core.Evaluation;
using Row = AlignLab.Core.Evaluation.EvaluationArtifacts.ResultRow;

namespace AlignLab.Core.Tests;

public class LeaderboardTests
{
    private static readonly Row[] Results =
    [
        new("base", "mc", "acc", 0.5, 0.25, 0.75, 4),
        new("tuned", "mc", "acc", 0.75, 0.5, 1.0, 4),
        new("tuned", "gen", "words", 12, 10, 14, 3),
        new("=evil,model", "mc", "acc", 0.25, 0, 0.5, 4),
    ];

    [Fact]
    public void DifferencesToTheBaselineSortingAndTheCsvAreWhatTheResultsSay()
    {
        var board = new Leaderboard(Results, ["base", "tuned"]);
        Assert.Equal(["base", "tuned", "=evil,model"], board.Models);
        var acc = new Leaderboard.Column("mc", "acc");
        // tuned − base = 0.75 − 0.5; the baseline itself and a column the baseline lacks have none.
        Assert.Equal(0.25, board.Delta("tuned", acc, "base"));
        Assert.Null(board.Delta("base", acc, "base"));
        Assert.Null(board.Delta("tuned", new("gen", "words"), "base"));
        Assert.Null(board.Delta("tuned", acc, null));

        Assert.Equal(["tuned", "base", "=evil,model"], board.SortedBy(acc, descending: true));
        Assert.Equal(["=evil,model", "base", "tuned"], board.SortedBy(acc, descending: false));
        Assert.Equal(["tuned", "base", "=evil,model"], board.SortedBy(new("gen", "words"), descending: true));

        Assert.Equal(
            "model,set,metric,value,low,high,items,delta_to_baseline\n" +
            "base,mc,acc,0.5,0.25,0.75,4,\n" +
            "tuned,mc,acc,0.75,0.5,1,4,0.25\n" +
            "tuned,gen,words,12,10,14,3,\n" +
            "\"'=evil,model\",mc,acc,0.25,0,0.5,4,-0.25\n",
            board.Csv("base"));
    }
}
