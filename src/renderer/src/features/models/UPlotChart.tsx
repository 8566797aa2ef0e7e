import { useEffect, useRef } from 'react'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'

export interface ChartSeries {
  label: string
  stroke: string
  /** Draw points only (no line), e.g. calibration bins. */
  points?: boolean
  dash?: number[]
}

/** A uPlot chart that redraws in place when its data change (live training curves, calibration). */
export function UPlotChart(props: {
  title: string
  xLabel: string
  yLabel: string
  series: ChartSeries[]
  /** [x values, ...one array per series] (null for a gap). */
  data: (number | null)[][]
  yRange?: [number, number]
  xRange?: [number, number]
  height?: number
  testId?: string
}): React.JSX.Element {
  const host = useRef<HTMLDivElement>(null)
  const plot = useRef<uPlot | null>(null)
  const { title, xLabel, yLabel, series, yRange, xRange, height } = props
  const shape = JSON.stringify({ title, xLabel, yLabel, series, yRange, xRange, height })

  useEffect(() => {
    const el = host.current
    if (!el) return
    const opts: uPlot.Options = {
      title,
      width: Math.max(240, el.clientWidth || 480),
      height: height ?? 220,
      scales: {
        x: { time: false, ...(xRange ? { range: xRange } : {}) },
        y: yRange ? { range: yRange } : {}
      },
      axes: [{ label: xLabel }, { label: yLabel }],
      series: [
        { label: xLabel },
        ...series.map((s) => ({
          label: s.label,
          stroke: s.stroke,
          ...(s.dash ? { dash: s.dash } : {}),
          ...(s.points ? { paths: () => null, points: { show: true, size: 8, fill: s.stroke } } : {})
        }))
      ]
    }
    plot.current = new uPlot(opts, props.data as uPlot.AlignedData, el)
    const resize = new ResizeObserver(() =>
      plot.current?.setSize({ width: Math.max(240, el.clientWidth), height: height ?? 220 })
    )
    resize.observe(el)
    return () => {
      resize.disconnect()
      plot.current?.destroy()
      plot.current = null
    }
    // The chart is rebuilt only when its shape changes; data updates go through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape])

  useEffect(() => {
    plot.current?.setData(props.data as uPlot.AlignedData)
  }, [props.data])

  return <div ref={host} className="chart" data-testid={props.testId} aria-label={title} />
}
