import type { AnnotatorStats } from '../../../../../shared/domain'
import { ProgressBar } from '../../../components/ui'
import { sessionRate, type SessionCounts } from '../session'

/** This session (judged, skips apart, goal, rate) and the annotator's all-time figures. */
export function SessionStats(props: {
  session: SessionCounts
  goal: number
  now: number
  stats: AnnotatorStats | null
}): React.JSX.Element {
  const { session, goal, stats } = props
  const rate = sessionRate(session, props.now)
  return (
    <section className="panel stats" aria-label="Session stats" data-testid="stats-panel">
      <h2>Session</h2>
      {goal > 0 && (
        <div className="stats__goal" data-testid="session-goal">
          <span>
            {Math.min(session.judged, goal)} of {goal} pairs
          </span>
          <ProgressBar value={session.judged / goal} label="Session goal" />
        </div>
      )}
      <dl>
        <dt>Pairs judged</dt>
        <dd data-testid="stat-session-judged">{session.judged}</dd>
        <dt>Skipped</dt>
        <dd data-testid="stat-session-skipped">{session.skipped}</dd>
        <dt>Pairs / hour</dt>
        <dd>{rate === null ? '—' : Math.round(rate)}</dd>
        <dt>Self-consistency</dt>
        <dd data-testid="stat-consistency">
          {stats?.selfConsistency == null
            ? '—'
            : `${Math.round(stats.selfConsistency * 100)}% (${stats.repeatsJudged})`}
        </dd>
        <dt title="Krippendorff's alpha (ordinal) over the pairs you and other annotators both judged">
          Inter-annotator α
        </dt>
        <dd data-testid="stat-agreement">
          {stats?.interAnnotatorAlpha == null
            ? '—'
            : `${stats.interAnnotatorAlpha.toFixed(2)} (${stats.overlapPairsJudged})`}
        </dd>
        <dt>All-time judged</dt>
        <dd data-testid="stat-judged">{stats ? stats.judged : '—'}</dd>
        <dt>All-time skipped</dt>
        <dd>{stats ? stats.skipped : '—'}</dd>
        <dt>Reward model</dt>
        <dd>
          {stats?.rewardModelAgreement == null ? 'none yet' : `${Math.round(stats.rewardModelAgreement * 100)}% agree`}
        </dd>
      </dl>
    </section>
  )
}
